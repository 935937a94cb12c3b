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

struct ChatCompletion: Encodable, Sendable {
    struct Message: Encodable, Sendable {
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
    struct Choice: Encodable, Sendable {
        var index = 0
        var message: Message
        var logprobs: ChatLogprobs?
        var finishReason: String
        enum CodingKeys: String, CodingKey { case index, message, logprobs, finishReason = "finish_reason" }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(index, forKey: .index)
            try c.encode(message, forKey: .message)
            try c.encode(logprobs, forKey: .logprobs)
            try c.encode(finishReason, forKey: .finishReason)
        }
    }
    var id: String
    var object = "chat.completion"
    var created: Int
    var model: String
    var systemFingerprint: String
    var choices: [Choice]
    var usage: Usage
    enum CodingKeys: String, CodingKey { case id, object, created, model, choices, usage, systemFingerprint = "system_fingerprint" }
}

/// One SSE chunk of a streamed chat completion.
struct ChatCompletionChunk: Encodable, Sendable {
    struct Delta: Encodable, Sendable {
        var role: String?
        var content: String?
        var toolCalls: [WireCallDelta]?
        enum CodingKeys: String, CodingKey { case role, content, toolCalls = "tool_calls" }
    }
    struct Choice: Encodable, Sendable {
        var index = 0
        var delta: Delta
        var logprobs: ChatLogprobs?
        var finishReason: String?
        enum CodingKeys: String, CodingKey { case index, delta, logprobs, finishReason = "finish_reason" }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(index, forKey: .index)
            try c.encode(delta, forKey: .delta)
            try c.encode(logprobs, forKey: .logprobs)
            try c.encode(finishReason, forKey: .finishReason)
        }
    }
    var id: String
    var object = "chat.completion.chunk"
    var created: Int
    var model: String
    var systemFingerprint: String
    var choices: [Choice]
    /// Present (null until the last chunk) only when `stream_options.include_usage` is set.
    var usage: Usage?
    var includeUsage: Bool
    enum CodingKeys: String, CodingKey { case id, object, created, model, choices, usage, systemFingerprint = "system_fingerprint" }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(object, forKey: .object)
        try c.encode(created, forKey: .created)
        try c.encode(model, forKey: .model)
        try c.encode(systemFingerprint, forKey: .systemFingerprint)
        try c.encode(choices, forKey: .choices)
        if includeUsage { try c.encode(usage, forKey: .usage) }
    }
}

/// `/v1/completions` response, and (with `object` `text_completion` too) each streamed chunk.
struct TextCompletion: Encodable, Sendable {
    struct Choice: Encodable, Sendable {
        var text: String
        var index = 0
        var logprobs: CompletionLogprobs?
        var finishReason: String?
        enum CodingKeys: String, CodingKey { case text, index, logprobs, finishReason = "finish_reason" }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(text, forKey: .text)
            try c.encode(index, forKey: .index)
            try c.encode(logprobs, forKey: .logprobs)
            try c.encode(finishReason, forKey: .finishReason)
        }
    }
    var id: String
    var object = "text_completion"
    var created: Int
    var model: String
    var systemFingerprint: String
    var choices: [Choice]
    var usage: Usage?
    var includeUsage = true
    enum CodingKeys: String, CodingKey { case id, object, created, model, choices, usage, systemFingerprint = "system_fingerprint" }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(object, forKey: .object)
        try c.encode(created, forKey: .created)
        try c.encode(model, forKey: .model)
        try c.encode(systemFingerprint, forKey: .systemFingerprint)
        try c.encode(choices, forKey: .choices)
        if includeUsage { try c.encode(usage, forKey: .usage) }
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
