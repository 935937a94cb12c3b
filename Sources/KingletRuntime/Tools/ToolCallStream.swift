/// Turns a streamed answer into what OpenAI streams for it: text deltas, then for each call a
/// first delta with its id and name and further deltas of its arguments' JSON text.
///
/// ```swift
/// var stream = ToolCallStream(parser: plan.parser)
/// for delta in deltas { send(stream.append(delta)) }
/// send(stream.finish())   // stream.calls: the complete calls, with the ids already sent
/// ```
public struct ToolCallStream: Sendable {
    public enum Event: Sendable, Equatable {
        case content(String)
        case callStart(index: Int, id: String, name: String)
        case arguments(index: Int, String)
    }

    public let parser: ToolCallParser
    private var text = ""
    private var sentContent = ""
    private var ids: [String] = []
    private var sentArguments: [String] = []
    private var last = ToolCallParser.Snapshot()

    public init(parser: ToolCallParser) { self.parser = parser }

    /// The events for one more piece of the answer.
    public mutating func append(_ delta: String) -> [Event] {
        text += delta
        return events(parser.snapshot(text, final: false))
    }

    /// The events the end of the answer releases (held-back text, the last arguments).
    public mutating func finish() -> [Event] {
        events(parser.snapshot(text, final: true))
    }

    /// The complete calls so far, with the ids their first deltas carried.
    public var calls: [ToolCall] {
        last.calls.enumerated().compactMap { i, c in
            guard c.complete, let name = c.name, i < ids.count else { return nil }
            return ToolCall(id: ids[i], name: name, arguments: c.arguments)
        }
    }

    /// The whole answer's text so far.
    public var fullText: String { text }

    private mutating func events(_ s: ToolCallParser.Snapshot) -> [Event] {
        last = s
        var out: [Event] = []
        if s.content.count > sentContent.count, s.content.hasPrefix(sentContent) {
            out.append(.content(String(s.content.dropFirst(sentContent.count))))
            sentContent = s.content
        }
        for (i, call) in s.calls.enumerated() {
            if i == ids.count {
                guard let name = call.name else { break }  // later calls wait for this one's name
                ids.append(ToolCall.newID())
                sentArguments.append("")
                out.append(.callStart(index: i, id: ids[i], name: name))
            }
            let sent = sentArguments[i]
            if call.arguments.count > sent.count, call.arguments.hasPrefix(sent) {
                out.append(.arguments(index: i, String(call.arguments.dropFirst(sent.count))))
                sentArguments[i] = call.arguments
            }
        }
        return out
    }
}
