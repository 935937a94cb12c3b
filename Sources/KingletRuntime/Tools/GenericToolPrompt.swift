import KingletChatTemplate
import KingletGrammar

/// The documented prompt for templates that know no tools (``ToolCallFormat/generic``).
///
/// A system message lists the functions (name, description, parameters schema) and asks for one
/// JSON object: `{"tool_calls": [{"name": ..., "arguments": {...}}]}` to call, or
/// `{"response": "..."}` to answer. A grammar holds the answer to exactly that shape. Earlier
/// turns are rewritten to match: an assistant's calls become that JSON, and a function's result
/// becomes a user message `{"tool_response": {"tool_call_id", "name", "content"}}` (consecutive
/// results share one message, so templates that insist on alternating turns accept them).
enum GenericToolPrompt {
    /// The system text for `tools`.
    static func instructions(tools: [FunctionTool], mustCall: Bool, parallel: Bool) -> String {
        let list = JSONValue.array(tools.map(\.functionJSON)).compactText
        let call = parallel ? #"{"tool_calls": [{"name": "<function name>", "arguments": {<arguments>}}, ...]}"#
                            : #"{"tool_calls": [{"name": "<function name>", "arguments": {<arguments>}}]}"#
        var text = "You can call these functions; each one's arguments follow its JSON Schema \"parameters\":\n\(list)\n\n"
        if mustCall {
            text += "Reply with one JSON object and nothing else, calling \(tools.count == 1 ? "the function" : "one of the functions"):\n\(call)"
        } else {
            text += "Reply with one JSON object and nothing else:\n"
            text += "- to call \(parallel ? "functions" : "a function"): \(call)\n"
            text += #"- to answer the user directly: {"response": "<your answer>"}"#
        }
        text += "\nA function's result comes back in a user message {\"tool_response\": {...}}."
        return text
    }

    /// `messages` with the instructions added to the first system message (or in a new one).
    static func withSystemPrompt(_ messages: [ChatMessage], tools: [FunctionTool], mustCall: Bool, parallel: Bool) -> [ChatMessage] {
        let text = instructions(tools: tools, mustCall: mustCall, parallel: parallel)
        var out = messages
        if let first = out.first, first.role == "system" {
            out[0].content = first.content.isEmpty ? text : first.content + "\n\n" + text
        } else {
            out.insert(ChatMessage(role: "system", content: text), at: 0)
        }
        return out
    }

    /// Earlier calls and results in the JSON the generic prompt uses.
    static func rewrite(_ messages: [ChatMessage]) -> [ChatMessage] {
        var out: [ChatMessage] = []
        var names: [String: String] = [:]  // call id → function name
        var afterToolResponse = false
        for m in messages {
            defer { afterToolResponse = m.role == "tool" }
            if m.role == "assistant", case .array(let calls)? = m.extra["tool_calls"] {
                var items: [JSONValue] = []
                for call in calls {
                    let function = call.objectValue?["function"]?.objectValue
                    let name = function?["name"]?.stringValue ?? ""
                    if let id = call.objectValue?["id"]?.stringValue { names[id] = name }
                    items.append(.object([("name", .string(name)), ("arguments", jsonValue(function?["arguments"]))]))
                }
                var envelope = JSONValue.object([("tool_calls", .array(items))])
                if !m.content.isEmpty { envelope = .object([("response", .string(m.content)), ("tool_calls", .array(items))]) }
                var extra = m.extra
                extra["tool_calls"] = nil
                out.append(ChatMessage(role: "assistant", content: envelope.compactText, extra: extra))
            } else if m.role == "tool" {
                let id = m.extra["tool_call_id"]?.stringValue
                var members: [(key: String, value: JSONValue)] = []
                if let id { members.append(("tool_call_id", .string(id))) }
                if let name = m.extra["name"]?.stringValue ?? id.flatMap({ names[$0] }) { members.append(("name", .string(name))) }
                members.append(("content", .string(m.content)))
                let text = JSONValue.object([("tool_response", .object(members))]).compactText
                if afterToolResponse {
                    out[out.count - 1].content += "\n" + text
                } else {
                    out.append(ChatMessage(role: "user", content: text))
                }
            } else {
                out.append(m)
            }
        }
        return out
    }

    /// A template value as JSON (arguments sent as text that is not JSON stay a string).
    private static func jsonValue(_ v: TemplateValue?) -> JSONValue {
        switch v {
        case nil, .null?: return .object([])
        case .bool(let b)?: return .bool(b)
        case .int(let i)?: return .number(String(i), Double(i))
        case .double(let d)?: return .number("\(d)", d)
        case .string(let s)?: return .string(s)
        case .array(let a)?: return .array(a.map { jsonValue($0) })
        case .object(let o)?: return .object(o.entries.map { ($0.key, jsonValue($0.value)) })
        }
    }
}
