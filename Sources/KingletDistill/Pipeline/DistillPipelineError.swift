import Foundation

/// A distillation step that cannot start as configured.
public enum DistillPipelineError: Error, LocalizedError, Sendable, Equatable {
    /// A remote teacher's tokenizer model (`spec`) is not a model here.
    case remoteTokenizerNotFound(spec: String, reason: String)
    /// A configuration value out of its range: the setting's name and what it must be.
    case invalidSetting(name: String, requirement: String)

    public var errorDescription: String? {
        switch self {
        case let .remoteTokenizerNotFound(spec, reason):
            return "no local tokenizer for the remote teacher '\(spec)': \(reason) "
                + "Hint: name the teacher's own model (a known name or a GGUF path) as its tokenizer; the token ids come from it."
        case let .invalidSetting(name, requirement):
            return "the distillation setting '\(name)' must be \(requirement)."
        }
    }
}
