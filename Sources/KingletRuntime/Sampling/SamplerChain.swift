import KingletKernels
/// Sampling settings. Temperature 0 means greedy. `validate()` states and checks their
/// ranges; `init(openAITemperature:…)` reads an OpenAI request's.
public struct SamplingParameters: Sendable, Equatable {
    public var temperature: Float = 0.8
    public var topK: Int = 40
    public var topP: Float = 0.95
    public var minP: Float = 0.05
    public var repeatPenalty: Float = 1.0
    public var presencePenalty: Float = 0
    public var frequencyPenalty: Float = 0
    /// How many recent tokens the penalties look at (−1: all).
    public var penaltyWindow: Int = 64
    /// The seed; nil draws one at random (reported back so the run can be repeated).
    public var seed: UInt64?

    public init() {}

    /// Greedy decoding: always the most likely token.
    public static var greedy: SamplingParameters {
        var p = SamplingParameters()
        p.temperature = 0
        return p
    }
}

/// The chain penalties → top-k → top-p → min-p → temperature → draw, in llama.cpp's order.
public struct SamplerChain: Sendable {
    public let parameters: SamplingParameters
    public let seed: UInt64
    private var rng: Xoshiro256StarStar
    private let stages: [any LogitSampler]
    private let penalties: PenaltySampler

    /// A chain over `p`, which must be valid (`SamplingParameters.validate()`; generation's entry
    /// points, `SequenceDecoder` and so `Engine` and `BatchStepper`, check before building one).
    public init(_ p: SamplingParameters) {
        parameters = p
        seed = p.seed ?? UInt64.random(in: 0 ... UInt64.max)
        rng = Xoshiro256StarStar(seed: seed)
        penalties = PenaltySampler(repeat: p.repeatPenalty, presence: p.presencePenalty,
                                   frequency: p.frequencyPenalty, window: p.penaltyWindow)
        stages = [TopKSampler(p.topK), TopPSampler(p.topP), MinPSampler(p.minP), TemperatureSampler(p.temperature)]
    }

    /// Picks the next token from `logits` ([V]) given the tokens so far.
    public mutating func sample(_ logits: [Float], history: ArraySlice<Int32>) -> Int32 {
        if parameters.temperature <= 0 {
            if penalties.isIdentity { return Self.argmax(logits) }
            var c = Candidates(logits: logits)
            penalties.apply(&c, history: history)
            return c.ids[Self.argmax(c.logits).asIndex]
        }
        var c = Candidates(logits: logits)
        penalties.apply(&c, history: history)
        for s in stages { s.apply(&c, history: history) }
        return draw(c)
    }

    /// Draws from the softmax of the candidates.
    mutating func draw(_ c: Candidates) -> Int32 {
        let probs = c.probabilities()
        let u = Float(rng.nextUnit())
        var cum: Float = 0
        for (i, q) in probs.enumerated() {
            cum += q
            if u < cum { return c.ids[i] }
        }
        return c.ids[probs.count - 1]
    }

    /// Index of the largest value (the first one on ties, as llama.cpp's greedy sampler).
    public static func argmax(_ v: [Float]) -> Int32 {
        var best = 0
        var bestValue = -Float.infinity
        for (i, x) in v.enumerated() where x > bestValue { best = i; bestValue = x }
        return Int32(best)
    }
}

extension Int32 {
    var asIndex: Int { Int(self) }
}
