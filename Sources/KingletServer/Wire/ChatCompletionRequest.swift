import KingletChatTemplate

/// `POST /v1/chat/completions` body. Fields this server does not use (`user`, ...) are ignored;
/// `n` other than 1 is refused. `tools` and `tool_choice` are read by ``ToolFields``.
struct ChatCompletionRequest: Decodable, Sendable {
    /// A message as sent: `content` a string, an array of text parts, or null; an assistant's
    /// earlier `tool_calls`, a tool result's `tool_call_id`.
    struct Message: Decodable, Sendable {
        var role: String
        var content: MessageContent?
        var name: String?
        var toolCalls: [WireToolCall]?
        var toolCallID: String?
        enum CodingKeys: String, CodingKey { case role, content, name, toolCalls = "tool_calls", toolCallID = "tool_call_id" }
    }

    /// `{"id", "type": "function", "function": {"name", "arguments": "<JSON text>"}}`.
    struct WireToolCall: Decodable, Sendable {
        struct Function: Decodable, Sendable {
            var name: String
            var arguments: String
        }
        var id: String?
        var type: String?
        var function: Function
    }

    var model: String?
    var messages: [Message]
    var stream: Bool?
    var streamOptions: StreamOptions?
    var logprobs: Bool?
    var topLogprobs: Int?
    var sampling: SamplingFields
    /// Whether `response_format`, `grammar` or `json_schema` is present (`ConstraintFields` reads them).
    var hasConstraintFields = false
    /// Whether `tools`, `tool_choice` or `parallel_tool_calls` is present.
    var hasToolFields = false
    private var maxTokens: Int?
    private var maxCompletionTokens: Int?

    struct StreamOptions: Decodable, Sendable {
        var includeUsage: Bool?
        enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
    }

    enum CodingKeys: String, CodingKey {
        case model, messages, stream, logprobs
        case streamOptions = "stream_options", topLogprobs = "top_logprobs"
        case maxTokens = "max_tokens", maxCompletionTokens = "max_completion_tokens"
        case responseFormat = "response_format", grammar, jsonSchema = "json_schema"
        case tools, toolChoice = "tool_choice", parallelToolCalls = "parallel_tool_calls"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        hasConstraintFields = c.contains(.responseFormat) || c.contains(.grammar) || c.contains(.jsonSchema)
        hasToolFields = c.contains(.tools) || c.contains(.toolChoice) || c.contains(.parallelToolCalls)
        model = try c.decodeIfPresent(String.self, forKey: .model)
        messages = try c.decode([Message].self, forKey: .messages)
        stream = try c.decodeIfPresent(Bool.self, forKey: .stream)
        streamOptions = try c.decodeIfPresent(StreamOptions.self, forKey: .streamOptions)
        logprobs = try c.decodeIfPresent(Bool.self, forKey: .logprobs)
        topLogprobs = try c.decodeIfPresent(Int.self, forKey: .topLogprobs)
        maxTokens = try c.decodeIfPresent(Int.self, forKey: .maxTokens)
        maxCompletionTokens = try c.decodeIfPresent(Int.self, forKey: .maxCompletionTokens)
        sampling = try SamplingFields(from: decoder, maxTokens: maxCompletionTokens ?? maxTokens)
    }

    /// The field the token limit came from (for error messages).
    var maxTokensParam: String { maxCompletionTokens != nil ? "max_completion_tokens" : "max_tokens" }

    static let roles: Set<String> = ["system", "developer", "user", "assistant", "tool"]

    /// The conversation for the chat template; refuses an empty list and unknown roles.
    func chatMessages() throws(APIError) -> [ChatMessage] {
        guard !messages.isEmpty else {
            throw .invalid("'messages' is empty: send at least one message, e.g. {\"role\": \"user\", \"content\": \"Hi\"}.", param: "messages")
        }
        var out: [ChatMessage] = []
        for (i, m) in messages.enumerated() {
            guard Self.roles.contains(m.role) else {
                throw .invalid("Unknown role '\(m.role)' in messages[\(i)]; use one of system, developer, user, assistant, tool.",
                               param: "messages[\(i)].role")
            }
            // Templates know `system`; OpenAI's newer `developer` means the same.
            let role = m.role == "developer" ? "system" : m.role
            var extra: TemplateObject = [:]
            if let name = m.name { extra["name"] = .string(name) }
            if let id = m.toolCallID { extra["tool_call_id"] = .string(id) }
            if let calls = m.toolCalls, !calls.isEmpty {
                guard m.role == "assistant" else {
                    throw .invalid("messages[\(i)] has 'tool_calls' but its role is '\(m.role)'; only assistant messages carry calls.",
                                   param: "messages[\(i)].tool_calls")
                }
                extra["tool_calls"] = .array(calls.map(\.templateValue))
            }
            out.append(ChatMessage(role: role, content: try m.content?.text(param: "messages[\(i)].content") ?? "", extra: extra))
        }
        return out
    }

    /// Checks `logprobs` / `top_logprobs`: nil when not asked for, else the number of alternatives.
    func logprobCount() throws(APIError) -> Int? {
        if let k = topLogprobs {
            guard (0 ... 20).contains(k) else { throw .invalid("'top_logprobs' must be between 0 and 20 (got \(k)).", param: "top_logprobs") }
            guard logprobs == true else { throw .invalid("'top_logprobs' needs 'logprobs': true.", param: "top_logprobs") }
        }
        return logprobs == true ? (topLogprobs ?? 0) : nil
    }
}

/// Message content: a string, or an array of parts of which only `{"type": "text"}` is supported.
enum MessageContent: Decodable, Sendable {
    case text(String)
    case parts([Part])

    struct Part: Decodable, Sendable {
        var type: String
        var text: String?
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) { self = .text(s); return }
        if let p = try? c.decode([Part].self) { self = .parts(p); return }
        throw DecodingError.typeMismatch(String.self, .init(codingPath: decoder.codingPath,
                                                            debugDescription: "a string or an array of {\"type\": \"text\", \"text\": ...} parts"))
    }

    func text(param: String) throws(APIError) -> String {
        switch self {
        case .text(let s): return s
        case .parts(let parts):
            var s = ""
            for (i, p) in parts.enumerated() {
                guard p.type == "text", let t = p.text else {
                    throw .invalid("Content part type '\(p.type)' is not supported (text only; this model reads no images or audio).",
                                   param: "\(param)[\(i)]")
                }
                s += t
            }
            return s
        }
    }
}

extension ChatCompletionRequest.WireToolCall {
    /// The call as chat templates read it: arguments as an object when they are JSON (templates
    /// write them with `tojson`), else the text as sent.
    var templateValue: TemplateValue {
        let arguments = (try? TemplateValue(json: function.arguments)) ?? .string(function.arguments)
        return .object(["id": .string(id ?? ""), "type": "function",
                        "function": .object(["name": .string(function.name), "arguments": arguments])])
    }
}
