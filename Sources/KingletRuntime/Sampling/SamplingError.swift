import Foundation

/// A sampling setting outside its range (`SamplingParameters.validate()`): which field, the value
/// it holds, the rule it breaks and what the setting means, phrased for whoever set it. Front ends
/// name their own knob for the field (the server its JSON field, the CLI its flag).
public struct SamplingError: Error, LocalizedError, Sendable, Equatable {
    /// A field of `SamplingParameters`; the raw value is the Swift property's name.
    public enum Field: String, Sendable, CaseIterable {
        case temperature, topK, topP, minP, repeatPenalty, presencePenalty, frequencyPenalty, penaltyWindow

        /// The setting in words ("top-p", "repeat penalty").
        public var label: String {
            switch self {
            case .temperature: "temperature"
            case .topK: "top-k"
            case .topP: "top-p"
            case .minP: "min-p"
            case .repeatPenalty: "repeat penalty"
            case .presencePenalty: "presence penalty"
            case .frequencyPenalty: "frequency penalty"
            case .penaltyWindow: "penalty window"
            }
        }

        /// What the setting's usual values do.
        public var hint: String {
            switch self {
            case .temperature: "0 always picks the most likely token; 1 samples the model's distribution as it is."
            case .topK: "0 keeps every token."
            case .topP: "1 turns nucleus sampling off."
            case .minP: "0 turns it off."
            case .repeatPenalty: "1 turns it off; above 1 makes repeated tokens less likely."
            case .presencePenalty, .frequencyPenalty: "0 turns it off; above 0 makes repeated tokens less likely."
            case .penaltyWindow: "-1 counts every token so far, 0 turns the penalties off."
            }
        }
    }

    public var field: Field
    /// The value given, as Swift prints it ("nan", "-1", "2.5").
    public var value: String
    /// What the value must be, completing "must be …": "in (0, 1]", "finite and at least 0".
    public var rule: String

    public init(_ field: Field, value: some CustomStringConvertible, rule: String) {
        self.field = field
        self.value = value.description
        self.rule = rule
    }

    public var hint: String { field.hint }

    public var errorDescription: String? {
        "the sampling \(field.label) must be \(rule) (it is \(value)). \(hint)"
    }
}
