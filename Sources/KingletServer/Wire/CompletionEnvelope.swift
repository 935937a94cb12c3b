/// What one of a completion's `choices` carries besides `index`, `logprobs` and `finish_reason`:
/// the chat message, a streamed chat delta or text. It also names the response's `object`.
protocol ChoiceContent: Encodable, Sendable {
    associatedtype Logprobs: Encodable & Sendable
    /// The response's (or chunk's) `object`: `chat.completion`, `text_completion`, ...
    static var object: String { get }
    /// The choice's field for the content.
    static var key: ChoiceKey { get }
}

/// The fields of a choice, in the order OpenAI writes them (`text` first, the others after `index`).
enum ChoiceKey: String, CodingKey {
    case text, index, message, delta, logprobs
    case finishReason = "finish_reason"
}

/// One of `choices`: `index`, the content, `logprobs` and `finish_reason`, nulls written out as
/// OpenAI sends them.
struct WireChoice<Content: ChoiceContent>: Encodable, Sendable {
    var index = 0
    var content: Content
    var logprobs: Content.Logprobs?
    var finishReason: String?

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: ChoiceKey.self)
        if Content.key == .text { try c.encode(content, forKey: .text) }
        try c.encode(index, forKey: .index)
        if Content.key != .text { try c.encode(content, forKey: Content.key) }
        try c.encode(logprobs, forKey: .logprobs)
        try c.encode(finishReason, forKey: .finishReason)
    }
}

/// A completion response or one streamed chunk of it: `id`, `object`, `created`, `model`,
/// `system_fingerprint`, `choices` and `usage`.
struct CompletionEnvelope<Content: ChoiceContent>: Encodable, Sendable {
    typealias Choice = WireChoice<Content>
    var id: String
    var created: Int
    var model: String
    var systemFingerprint: String
    var choices: [Choice]
    /// Written only with `includeUsage`: always in a whole response; in a stream (null until the
    /// last chunk) only when `stream_options.include_usage` is set.
    var usage: Usage?
    var includeUsage = true

    enum CodingKeys: String, CodingKey { case id, object, created, model, choices, usage, systemFingerprint = "system_fingerprint" }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(Content.object, forKey: .object)
        try c.encode(created, forKey: .created)
        try c.encode(model, forKey: .model)
        try c.encode(systemFingerprint, forKey: .systemFingerprint)
        try c.encode(choices, forKey: .choices)
        if includeUsage { try c.encode(usage, forKey: .usage) }
    }
}
