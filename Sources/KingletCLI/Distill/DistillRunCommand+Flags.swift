import KingletDistill

extension DistillRunCommand {
    /// The flag of each `DistillPipeline.Configuration` setting `validate()` may refuse.
    static let flagNames = [
        "count": "--count", "maxTokens": "--max-tokens", "seeds": "--seeds", "steps": "--steps", "batch": "--batch",
        "seq": "--seq", "budgetMinutes": "--budget-minutes", "learningRate": "--lr", "alpha": "--alpha",
        "temperature": "--temperature", "onPolicyRatio": "--on-policy-ratio", "onPolicyRounds": "--on-policy-rounds",
        "quantizationAwareShare": "--quantization-aware-share",
    ]

    /// The library's refusal of a setting, spoken of as its flag.
    static func flagged(_ error: DistillPipelineError) -> String {
        switch error {
        case let .invalidSetting(name, requirement):
            return "\(flagNames[name] ?? name) must be \(requirement)"
        default:
            return error.errorDescription ?? "\(error)"
        }
    }
}
