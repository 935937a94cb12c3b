import Foundation
import KingletChatTemplate

/// Prompts from a JSONL file, one JSON object a line:
///
///     {"prompt": "Write a haiku about rain."}
///     {"id": "q2", "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]}
///
/// Blank lines are skipped. A `"prompt"` becomes one user turn (after `system`, when given). A bad
/// line is a `PromptError.badLine` naming the file and the 1-based line number.
public struct JSONLPromptSource: PromptSource {
    /// The file.
    public let url: URL
    /// System message put before each `"prompt"` line's user turn (not before `"messages"`).
    public let system: String?

    static let roles: Set<String> = ["system", "developer", "user", "assistant", "tool"]

    /// A source reading `url`.
    public init(url: URL, system: String? = nil) {
        self.url = url
        self.system = system
    }

    public func prompts() throws -> [DistillPrompt] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw PromptError.unreadable(file: url.path, reason: (error as NSError).localizedDescription)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw PromptError.unreadable(file: url.path, reason: "not UTF-8 text")
        }
        var out: [DistillPrompt] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.allSatisfy(\.isWhitespace) { continue }
            out.append(try parse(line, number: i + 1))
        }
        guard !out.isEmpty else { throw PromptError.empty(file: url.path) }
        return out
    }

    /// One non-blank line.
    func parse(_ line: Substring, number: Int) throws(PromptError) -> DistillPrompt {
        func bad(_ reason: String) -> PromptError { .badLine(file: url.path, line: number, reason: reason) }
        let object: [String: Any]
        do {
            guard let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw bad("not a JSON object")
            }
            object = o
        } catch let e as PromptError {
            throw e
        } catch {
            throw bad("not valid JSON (\((error as NSError).localizedDescription))")
        }
        let id: String
        switch object["id"] {
        case nil, is NSNull: id = "\(url.lastPathComponent):\(number)"
        case let s as String: id = s
        case let n as NSNumber: id = n.stringValue
        default: throw bad("\"id\" must be a string or a number")
        }
        if let prompt = object["prompt"] {
            guard object["messages"] == nil else { throw bad("give either \"prompt\" or \"messages\", not both") }
            guard let p = prompt as? String, !p.isEmpty else { throw bad("\"prompt\" must be a non-empty string") }
            return DistillPrompt(id: id, user: p, system: system)
        }
        guard let raw = object["messages"] else { throw bad("no \"prompt\" or \"messages\" field") }
        guard let list = raw as? [Any], !list.isEmpty else { throw bad("\"messages\" must be a non-empty array") }
        var messages: [ChatMessage] = []
        for (k, item) in list.enumerated() {
            guard let m = item as? [String: Any], let role = m["role"] as? String, let content = m["content"] as? String else {
                throw bad("messages[\(k)] must be an object with string \"role\" and \"content\"")
            }
            guard Self.roles.contains(role) else {
                throw bad("messages[\(k)] has role '\(role)'; use one of system, developer, user, assistant, tool")
            }
            messages.append(ChatMessage(role: role == "developer" ? "system" : role, content: content))
        }
        return DistillPrompt(id: id, messages: messages)
    }
}
