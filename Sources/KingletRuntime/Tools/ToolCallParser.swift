/// Reads a model's answer (complete, or as far as it has streamed) as text for the user and
/// function calls, in the answer's ``ToolCallFormat``.
public struct ToolCallParser: Sendable {
    /// nil: the answer is plain text (no tools were offered).
    public let format: ToolCallFormat?

    public init(format: ToolCallFormat?) { self.format = format }

    /// What an answer holds so far. Between two snapshots of a growing text, `content` and each
    /// call's `arguments` only grow (a stream sends the new part), and a call's `name` appears
    /// once, whole.
    public struct Snapshot: Sendable, Equatable {
        public struct Call: Sendable, Equatable {
            /// nil until the name's closing quote has arrived.
            public var name: String?
            /// The arguments object's JSON text so far.
            public var arguments: String
            public var complete: Bool
        }
        public var content: String = ""
        public var calls: [Call] = []
    }

    /// The final reading of a whole answer: calls get fresh ids.
    public struct Answer: Sendable, Equatable {
        /// Text for the user (nil when there is none, as OpenAI sends a message that only calls).
        public var content: String?
        public var calls: [ToolCall]
    }

    /// The answer as far as `text` goes; `final` when nothing more will come (then a call that
    /// never finished, or a block that is not a call, reads as text).
    public func snapshot(_ text: String, final: Bool) -> Snapshot {
        switch format {
        case nil: return Snapshot(content: text)
        case .generic?: return generic(text, final: final)
        case .hermes?: return hermes(text, final: final)
        case .llama3?: return llama3(text, final: final)
        }
    }

    /// The whole answer's content and complete calls.
    public func result(_ text: String) -> Answer {
        let s = snapshot(text, final: true)
        let calls = s.calls.compactMap { c in c.complete ? c.name.map { ToolCall(id: ToolCall.newID(), name: $0, arguments: c.arguments) } : nil }
        return Answer(content: s.content.isEmpty ? nil : s.content, calls: calls)
    }

    // MARK: - Formats

    /// `{"tool_calls": [{"name", "arguments"}, ...]}` or `{"response": "..."}`.
    private func generic(_ text: String, final: Bool) -> Snapshot {
        guard let v = PartialJSON.parse(text), case .object = v.value else {
            return Self.trimmed(text, final: final)
        }
        var s = Snapshot(content: v.value["response"]?.string ?? "")
        if case .array(let items)? = v.value["tool_calls"]?.value {
            let bytes = Array(text.utf8)
            for item in items {
                guard let call = Self.call(item, bytes: bytes, argumentsKey: "arguments") else { continue }
                s.calls.append(call)
            }
        }
        return s
    }

    /// Text with `<tool_call>\n{"name", "arguments"}\n</tool_call>` blocks.
    private func hermes(_ text: String, final: Bool) -> Snapshot {
        let open = "<tool_call>", close = "</tool_call>"
        var s = Snapshot()
        var content = ""
        var rest = text[...]
        while let start = rest.range(of: open) {
            content += rest[..<start.lowerBound]
            let body = rest[start.upperBound...]
            let end = body.range(of: close)
            let inner = end.map { body[..<$0.lowerBound] } ?? body
            let bytes = Array(inner.utf8)
            let parsed = PartialJSON.parse(inner.utf8)
            var call = parsed.flatMap { Self.call($0, bytes: bytes, argumentsKey: "arguments") }
            if parsed == nil && !final && inner.allSatisfy(\.isWhitespace) {
                call = Snapshot.Call(name: nil, arguments: "", complete: false)  // the JSON has not begun
            }
            if let end {
                if let call, call.complete {
                    s.calls.append(call)
                } else {
                    content += rest[start.lowerBound ..< end.upperBound]  // not a call: text
                }
                rest = body[end.upperBound...]
            } else {
                if let call, !(final && !call.complete) {
                    s.calls.append(call)
                } else if final {
                    content += rest[start.lowerBound...]
                }
                rest = rest[rest.endIndex...]
            }
        }
        content += rest
        if !final, let held = Self.partialSuffix(of: content, prefixOf: open) {
            content.removeLast(held)
        }
        s.content = Self.trimmed(content, final: final).content
        return s
    }

    /// `{"name", "parameters"}` as the whole answer, optionally after `<|python_tag|>`.
    private func llama3(_ text: String, final: Bool) -> Snapshot {
        let tag = "<|python_tag|>"
        var body = text.drop(while: \.isWhitespace)
        if body.hasPrefix(tag) {
            body = body.dropFirst(tag.count).drop(while: \.isWhitespace)
        } else if !final && tag.hasPrefix(body) {
            return Snapshot()  // nothing yet, or perhaps the tag
        }
        if !final && body.isEmpty { return Snapshot() }
        guard body.first == "{", let v = PartialJSON.parse(body.utf8), case .object(let members) = v.value else {
            return Self.trimmed(text, final: final)
        }
        if members.isEmpty && !v.complete && !final { return Snapshot() }  // `{`: a call or a JSON answer
        let bytes = Array(body.utf8)
        if let call = Self.call(v, bytes: bytes, argumentsKey: "parameters") ?? Self.call(v, bytes: bytes, argumentsKey: "arguments"),
           !final || call.complete {
            return Snapshot(calls: [call])
        }
        return Self.trimmed(text, final: final)
    }

    // MARK: - Pieces

    /// A call object: `name` once whole, the arguments' raw text, complete when the object is.
    private static func call(_ v: PartialJSON, bytes: [UInt8], argumentsKey: String) -> Snapshot.Call? {
        guard case .object(let members) = v.value else { return nil }
        let nameNode = v.value["name"]
        guard members.allSatisfy({ $0.key == "name" || $0.key == argumentsKey }), !members.isEmpty else { return nil }
        let name = nameNode.flatMap { $0.complete ? $0.string : nil }
        let argumentsNode = v.value[argumentsKey]
        var arguments = ""
        if let a = argumentsNode {
            guard case .object = a.value else { return nil }
            arguments = String(decoding: bytes[a.start ..< min(a.end, bytes.count)], as: UTF8.self)
        } else if v.complete {
            arguments = "{}"  // a function without parameters
        }
        let complete = v.complete && name != nil && argumentsNode?.complete != false
        return Snapshot.Call(name: name, arguments: arguments, complete: complete)
    }

    /// Text without leading whitespace, and without trailing whitespace at the end (while
    /// streaming it is held back, since more text may follow it).
    private static func trimmed(_ text: some StringProtocol, final: Bool) -> Snapshot {
        var t = Substring(text).drop(while: \.isWhitespace)
        while let last = t.last, last.isWhitespace { t.removeLast() }
        return Snapshot(content: String(t))
    }

    /// The length of the longest proper suffix of `text` that begins `marker`.
    private static func partialSuffix(of text: String, prefixOf marker: String) -> Int? {
        let m = Array(marker)
        let chars = Array(text.suffix(m.count - 1))
        for k in stride(from: min(chars.count, m.count - 1), through: 1, by: -1) where Array(chars.suffix(k)) == Array(m.prefix(k)) {
            return k
        }
        return nil
    }
}
