/// OpenAI's sampling fields (chat and text completions) and their narrower ranges, stated once:
/// `kinglet serve` reads requests with them, and a local distillation teacher samples exactly as
/// the server would for the same request.
extension SamplingParameters {
    /// The parameters an OpenAI request asks for: the fields it gives over the runtime's defaults
    /// (top-k 40, min-p 0.05, no repeat penalty), and its presence and frequency penalties over
    /// the whole output, as OpenAI means them, instead of the recent window. Not checked: call
    /// `validateOpenAI()`.
    public init(openAITemperature temperature: Float?, topP: Float?, presencePenalty: Float?,
                frequencyPenalty: Float?, seed: UInt64?) {
        self.init()
        if let temperature { self.temperature = temperature }
        if let topP { self.topP = topP }
        if let presencePenalty { self.presencePenalty = presencePenalty }
        if let frequencyPenalty { self.frequencyPenalty = frequencyPenalty }
        if self.presencePenalty != 0 || self.frequencyPenalty != 0 { penaltyWindow = -1 }
        self.seed = seed
    }

    /// `validate()` with OpenAI's narrower ranges: temperature between 0 and 2, presence and
    /// frequency penalties between -2 and 2.
    public func validateOpenAI() throws(SamplingError) {
        try validate(within: .openAI)
    }
}

extension SamplingLimits {
    /// OpenAI's API reference: `temperature` 0…2, `presence_penalty` and `frequency_penalty` −2…2.
    static let openAI = SamplingLimits(maxTemperature: 2, maxPenalty: 2)
}

extension SamplingError.Field {
    /// The OpenAI request field that sets this one (nil: OpenAI's API has none).
    public var openAIName: String? {
        switch self {
        case .temperature: "temperature"
        case .topP: "top_p"
        case .presencePenalty: "presence_penalty"
        case .frequencyPenalty: "frequency_penalty"
        case .topK, .minP, .repeatPenalty, .penaltyWindow: nil
        }
    }
}
