import ArgumentParser
import Kinglet

/// The flag that sets each sampling field, for the library's sampling errors on the command line.
extension SamplingError.Field {
    /// The flag (nil: no command has one).
    var flag: String? {
        switch self {
        case .temperature: "--temperature"
        case .topK: "--top-k"
        case .topP: "--top-p"
        case .minP: "--min-p"
        case .repeatPenalty: "--repeat-penalty"
        case .presencePenalty: "--presence-penalty"
        case .frequencyPenalty: "--frequency-penalty"
        case .penaltyWindow: nil
        }
    }
}

extension ValidationError {
    /// The library's sampling error, naming the flag to change: "--top-p must be in (0, 1] (it
    /// is 1.5). 1 turns nucleus sampling off."
    init(sampling e: SamplingError) {
        guard let flag = e.field.flag else { self.init(e.errorDescription ?? "\(e)"); return }
        self.init("\(flag) must be \(e.rule) (it is \(e.value)). \(e.hint)")
    }
}
