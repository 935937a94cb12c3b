import Foundation

/// One held-out prompt and a model's greedy answer to it.
public struct HeldOutAnswer: Sendable, Equatable, Codable {
    /// The sample id the prompt came from (the same in every run on one dataset).
    public var id: String
    /// The prompt's text: its last user message.
    public var prompt: String
    /// The model's greedy completion.
    public var text: String

    public init(id: String, prompt: String, text: String) {
        self.id = id
        self.prompt = prompt
        self.text = text
    }
}

/// What a user of a shipped GGUF gets, measured by `ShippedModelProbe`: its decode speed, its
/// size, how likely the teacher finds its own answers, and those answers. Stored as `shipped` in
/// a run's `eval.json` (for the Q8_0 student) and as `DIR/teacher.json` (for the teacher itself).
/// Every field is optional: files written before these figures existed decode with them absent.
public struct ShippedFigures: Sendable, Equatable, Codable {
    /// The export format measured ("q8_0"); nil for the teacher.
    public var format: String?
    /// Median tokens/s of generating 128 tokens one at a time from an empty cache (`kinglet bench`'s tg128).
    public var tg128TokensPerSecond: Double?
    /// Size of the GGUF file.
    public var fileBytes: Double?
    /// exp(mean −log p_teacher) over the completion tokens of the model's greedy answers to the
    /// held-out prompts, each given its prompt. ≥ 1. The teacher on its own answers is the mark to
    /// compare with, not a floor: degenerate answers (one word repeated) can score lower, since the
    /// teacher soon predicts the repetition; the answers beside it tell.
    public var teacherPPLOfGenerations: Double?
    /// Completion tokens the perplexity is over.
    public var scoredTokens: Int?
    /// Seconds the whole measurement took.
    public var seconds: Double?
    /// Greedy answers to the held-out prompts.
    public var answers: [HeldOutAnswer]?

    public init(format: String? = nil, tg128TokensPerSecond: Double? = nil, fileBytes: Double? = nil,
                teacherPPLOfGenerations: Double? = nil, scoredTokens: Int? = nil, seconds: Double? = nil,
                answers: [HeldOutAnswer]? = nil) {
        self.format = format
        self.tg128TokensPerSecond = tg128TokensPerSecond
        self.fileBytes = fileBytes
        self.teacherPPLOfGenerations = teacherPPLOfGenerations
        self.scoredTokens = scoredTokens
        self.seconds = seconds
        self.answers = answers
    }

    enum CodingKeys: String, CodingKey {
        case format, answers, seconds
        case tg128TokensPerSecond = "tg128_tokens_per_second", fileBytes = "file_bytes"
        case teacherPPLOfGenerations = "teacher_ppl_of_generations", scoredTokens = "scored_tokens"
    }

    /// Reads a `teacher.json` (or any file holding just these figures).
    public init(contentsOf url: URL) throws(ReportError) {
        self = try DistillRun.decode(ShippedFigures.self, from: try DistillRun.read(url), path: url.path, line: nil)
    }

    /// The figures as JSON (sorted keys, pretty-printed); non-finite numbers left out.
    public func jsonData() throws -> Data {
        var clean = self
        for k in [\ShippedFigures.tg128TokensPerSecond, \.fileBytes, \.teacherPPLOfGenerations, \.seconds] where clean[keyPath: k]?.isFinite == false {
            clean[keyPath: k] = nil
        }
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try e.encode(clean)
    }
}
