import Foundation

/// A prompt of the validation split, as the teacher's chat template rendered it when the sample
/// was generated: the prompts every shipped model (students and teacher alike) answers for the
/// report.
public struct HeldOutPrompt: Sendable, Equatable {
    /// The sample id it came from.
    public var id: String
    /// Its last user message (what the report shows).
    public var text: String
    /// The rendered prompt's ids under the teacher's tokenizer (which the students share).
    public var tokens: [Int32]

    public init(id: String, text: String, tokens: [Int32]) {
        self.id = id
        self.text = text
        self.tokens = tokens
    }

    /// The first `count` distinct prompts of the held-out samples in `dataDirectory` (the split
    /// `DistillTrainingJob.sequences` makes, in its order: by sample id), so every run of one
    /// dataset and the teacher answer the same prompts.
    public static func select(dataDirectory: URL, length: Int, validationFraction: Double, count: Int) throws -> [HeldOutPrompt] {
        guard count > 0 else { return [] }
        let validation = try DistillTrainingJob.sequences(dataDirectory: dataDirectory, length: length,
                                                          validationFraction: validationFraction).validation
        let records = Dictionary(try DistillDataset(directory: dataDirectory).records().map { ($0.id, $0) }) { a, _ in a }
        var seen = Set<[Int32]>(), out: [HeldOutPrompt] = []
        for s in validation where out.count < count {
            let tokens = Array(s.tokens[0 ..< s.promptLength])
            guard seen.insert(tokens).inserted else { continue }
            let text = records[s.id]?.messages.last { $0.role == "user" }?.content ?? ""
            out.append(HeldOutPrompt(id: s.id, text: text, tokens: tokens))
        }
        return out
    }
}
