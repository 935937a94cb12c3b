/// The one set of rules sampling settings follow, wherever they come from (the CLI's flags, an
/// OpenAI request, a library caller); `validate()` checks them.
extension SamplingParameters {
    /// Checks every setting; the first out of range throws. NaN is out of every range.
    ///
    /// - `temperature`: finite and at least 0 (0: greedy).
    /// - `topK`: at least 0 (0: every token).
    /// - `topP`: in (0, 1] (1: off).
    /// - `minP`: in [0, 1) (0: off).
    /// - `repeatPenalty`: finite and above 0 (1: off).
    /// - `presencePenalty`, `frequencyPenalty`: finite (0: off).
    /// - `penaltyWindow`: at least -1 (-1: every token so far; 0: penalties off).
    public func validate() throws(SamplingError) {
        try validate(within: .runtime)
    }

    /// The rules, with `limits`' bounds on temperature and the presence and frequency penalties.
    func validate(within limits: SamplingLimits) throws(SamplingError) {
        if !(temperature.isFinite && temperature >= 0 && temperature <= limits.maxTemperature) {
            let rule = limits.maxTemperature.isFinite ? "between 0 and \(Self.text(limits.maxTemperature))" : "finite and at least 0"
            throw SamplingError(.temperature, value: temperature, rule: rule)
        }
        if topK < 0 { throw SamplingError(.topK, value: topK, rule: "at least 0") }
        if !(topP > 0 && topP <= 1) { throw SamplingError(.topP, value: topP, rule: "in (0, 1]") }
        if !(minP >= 0 && minP < 1) { throw SamplingError(.minP, value: minP, rule: "in [0, 1)") }
        if !(repeatPenalty.isFinite && repeatPenalty > 0) {
            throw SamplingError(.repeatPenalty, value: repeatPenalty, rule: "finite and above 0")
        }
        for (field, v) in [(SamplingError.Field.presencePenalty, presencePenalty), (.frequencyPenalty, frequencyPenalty)]
        where !(v.isFinite && abs(v) <= limits.maxPenalty) {
            let m = limits.maxPenalty
            throw SamplingError(field, value: v, rule: m.isFinite ? "between -\(Self.text(m)) and \(Self.text(m))" : "finite")
        }
        if penaltyWindow < -1 { throw SamplingError(.penaltyWindow, value: penaltyWindow, rule: "at least -1") }
    }

    /// A bound as people write it: "2", "0.5".
    private static func text(_ x: Float) -> String {
        x == x.rounded() ? String(Int(x)) : "\(x)"
    }
}

/// Bounds narrower than the runtime's, set by an API the parameters come through.
struct SamplingLimits: Sendable {
    /// The highest temperature.
    var maxTemperature: Float
    /// The largest presence or frequency penalty, either sign.
    var maxPenalty: Float

    /// The runtime's own rules: no bound beyond finiteness.
    static let runtime = SamplingLimits(maxTemperature: .infinity, maxPenalty: .infinity)
}
