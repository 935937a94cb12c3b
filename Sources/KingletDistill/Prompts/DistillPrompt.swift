import Foundation
import KingletChatTemplate

/// One prompt for the teacher: a conversation (usually a single user turn, optionally after a
/// system message) that the teacher completes with the assistant's reply.
public struct DistillPrompt: Sendable, Equatable {
    /// Where the prompt came from (`stories-000042`, or a JSONL line's `"id"`, else `file:line`).
    /// For progress and errors only; the dataset keys samples by content.
    public var id: String
    /// The conversation, ending with the turn the teacher answers.
    public var messages: [ChatMessage]

    /// A prompt with the given id and messages.
    public init(id: String, messages: [ChatMessage]) {
        self.id = id
        self.messages = messages
    }

    /// A single user turn, after `system` when given.
    public init(id: String, user: String, system: String? = nil) {
        var m: [ChatMessage] = []
        if let system, !system.isEmpty { m.append(ChatMessage(role: "system", content: system)) }
        m.append(ChatMessage(role: "user", content: user))
        self.init(id: id, messages: m)
    }
}

/// Where prompts come from: a JSONL file or a built-in preset.
public protocol PromptSource: Sendable {
    /// Every prompt, in order.
    func prompts() throws -> [DistillPrompt]
}

/// Errors reading or expanding prompts.
public enum PromptError: Error, LocalizedError, Sendable, Equatable {
    case unreadable(file: String, reason: String)
    case badLine(file: String, line: Int, reason: String)
    case empty(file: String)
    case unknownPreset(String, available: [String])
    case tooMany(preset: String, requested: Int, available: Int)

    public var errorDescription: String? {
        switch self {
        case .unreadable(let f, let r):
            return "cannot read the prompt file \(f): \(r). Check the path."
        case .badLine(let f, let n, let r):
            return "\(f):\(n): \(r). Each line must be a JSON object such as {\"prompt\": \"...\"} or "
                + "{\"messages\": [{\"role\": \"user\", \"content\": \"...\"}]} (optional \"id\"); blank lines are skipped."
        case .empty(let f):
            return "the prompt file \(f) has no prompts. Add one JSON object per line, e.g. {\"prompt\": \"Tell me a story.\"}."
        case .unknownPreset(let name, let available):
            return "unknown prompt preset '\(name)'. Available presets: \(available.joined(separator: ", "))."
        case .tooMany(let p, let r, let a):
            return "the preset '\(p)' makes \(a) distinct prompts, fewer than the \(r) asked for. Lower --count or use a prompt file."
        }
    }
}
