import Foundation
import KingletRuntime

// Response bodies, field for field as OpenAI sends them (nulls included where OpenAI has them).

/// `usage`: `prompt_tokens` counts the whole prompt; `prompt_tokens_details.cached_tokens` those
/// of them taken from the slot's prompt cache, as OpenAI reports its own prompt caching.
struct Usage: Encodable, Sendable {
    struct PromptDetails: Encodable, Sendable {
        var cachedTokens: Int
        enum CodingKeys: String, CodingKey { case cachedTokens = "cached_tokens" }
    }
    var promptTokens: Int
    var completionTokens: Int
    var promptDetails: PromptDetails
    var totalTokens: Int { promptTokens + completionTokens }

    init(_ s: GenerationSummary) {
        promptTokens = s.promptTokens
        completionTokens = s.generatedTokens
        promptDetails = PromptDetails(cachedTokens: s.cachedTokens)
    }

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens", completionTokens = "completion_tokens", totalTokens = "total_tokens"
        case promptDetails = "prompt_tokens_details"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(promptTokens, forKey: .promptTokens)
        try c.encode(completionTokens, forKey: .completionTokens)
        try c.encode(totalTokens, forKey: .totalTokens)
        try c.encode(promptDetails, forKey: .promptDetails)
    }
}

/// `finish_reason` on the wire: OpenAI knows `stop`, `length` and `tool_calls` (a cancelled
/// generation has no reader; it is reported as `stop`). An answer cut by the token limit is
/// `length` even when it holds calls: the last may be incomplete.
func wireFinishReason(_ r: FinishReason, calledTools: Bool = false) -> String {
    r == .length ? "length" : calledTools ? "tool_calls" : "stop"
}

/// A call in a message: `{"id", "type": "function", "function": {"name", "arguments"}}`.
struct WireCall: Encodable, Sendable {
    struct Function: Encodable, Sendable {
        var name: String
        var arguments: String
    }
    var id: String
    var type = "function"
    var function: Function

    init(_ c: ToolCall) {
        id = c.id
        function = Function(name: c.name, arguments: c.arguments)
    }
}

/// A piece of a streamed call: the first carries `id`, `type` and the name, the rest arguments.
struct WireCallDelta: Encodable, Sendable {
    struct Function: Encodable, Sendable {
        var name: String?
        var arguments: String
    }
    var index: Int
    var id: String?
    var type: String?
    var function: Function
}

/// Chat logprobs: `{"content": [{"token", "logprob", "bytes", "top_logprobs": [...]}]}`.
struct ChatLogprobs: Encodable, Sendable {
    struct Top: Encodable, Sendable {
        var token: String
        var logprob: Float
        var bytes: [UInt8]
    }
    struct Content: Encodable, Sendable {
        var token: String
        var logprob: Float
        var bytes: [UInt8]
        var topLogprobs: [Top]
        enum CodingKeys: String, CodingKey { case token, logprob, bytes, topLogprobs = "top_logprobs" }

        init(_ l: TokenLogprob) {
            token = l.chosen.text
            logprob = l.chosen.logprob
            bytes = l.chosen.bytes
            topLogprobs = l.top.map { Top(token: $0.text, logprob: $0.logprob, bytes: $0.bytes) }
        }
    }
    var content: [Content]
}

/// Text-completion logprobs: parallel arrays, alternatives as `{token: logprob}` objects.
struct CompletionLogprobs: Encodable, Sendable {
    var tokens: [String] = []
    var tokenLogprobs: [Float] = []
    var topLogprobs: [[String: Float]] = []
    var textOffset: [Int] = []
    enum CodingKeys: String, CodingKey { case tokens, tokenLogprobs = "token_logprobs", topLogprobs = "top_logprobs", textOffset = "text_offset" }

    mutating func append(_ l: TokenLogprob, offset: Int) {
        tokens.append(l.chosen.text)
        tokenLogprobs.append(l.chosen.logprob)
        var top: [String: Float] = [:]
        for t in l.top where top[t.text] == nil { top[t.text] = t.logprob }
        topLogprobs.append(top)
        textOffset.append(offset)
    }
}

/// `/v1/chat/completions` response.
typealias ChatCompletion = CompletionEnvelope<AssistantMessage>

/// The message of a chat completion's choice.
struct AssistantMessage: ChoiceContent {
    typealias Logprobs = ChatLogprobs
    static let object = "chat.completion"
    static let key = ChoiceKey.message
    var role = "assistant"
    /// Null in a message that only calls functions, as OpenAI sends it.
    var content: String?
    var toolCalls: [WireCall] = []
    enum CodingKeys: String, CodingKey { case role, content, toolCalls = "tool_calls" }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(role, forKey: .role)
        try c.encode(content, forKey: .content)
        if !toolCalls.isEmpty { try c.encode(toolCalls, forKey: .toolCalls) }
    }
}

extension WireChoice where Content == AssistantMessage {
    init(message: AssistantMessage, logprobs: ChatLogprobs? = nil, finishReason: String) {
        self.init(content: message, logprobs: logprobs, finishReason: finishReason)
    }
}

/// One SSE chunk of a streamed chat completion.
typealias ChatCompletionChunk = CompletionEnvelope<AssistantDelta>

/// The delta of a streamed chat completion's choice.
struct AssistantDelta: ChoiceContent {
    typealias Logprobs = ChatLogprobs
    static let object = "chat.completion.chunk"
    static let key = ChoiceKey.delta
    var role: String?
    var content: String?
    var toolCalls: [WireCallDelta]?
    enum CodingKeys: String, CodingKey { case role, content, toolCalls = "tool_calls" }
}

extension WireChoice where Content == AssistantDelta {
    init(delta: AssistantDelta, logprobs: ChatLogprobs? = nil, finishReason: String? = nil) {
        self.init(content: delta, logprobs: logprobs, finishReason: finishReason)
    }
}

/// `/v1/completions` response, and (with `object` `text_completion` too) each streamed chunk.
typealias TextCompletion = CompletionEnvelope<CompletionText>

/// The text of a text completion's choice: a plain string on the wire.
struct CompletionText: ChoiceContent {
    typealias Logprobs = CompletionLogprobs
    static let object = "text_completion"
    static let key = ChoiceKey.text
    var text: String
    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(text)
    }
}

extension WireChoice where Content == CompletionText {
    init(text: String, logprobs: CompletionLogprobs? = nil, finishReason: String? = nil) {
        self.init(content: CompletionText(text: text), logprobs: logprobs, finishReason: finishReason)
    }
}

struct ModelList: Encodable, Sendable {
    struct Model: Encodable, Sendable {
        var id: String
        var object = "model"
        var created: Int
        var ownedBy = "kinglet"
        enum CodingKeys: String, CodingKey { case id, object, created, ownedBy = "owned_by" }
    }
    var object = "list"
    var data: [Model]
}

struct Health: Encodable, Sendable {
    var status: String
    var model: String?
    var message: String?
}
