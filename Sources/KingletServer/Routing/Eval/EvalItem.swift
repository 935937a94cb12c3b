import Foundation

/// One labelled item of a `route eval` set: a JSONL line `{"prompt": "..."}` or
/// `{"messages": [...]}`, with `"answer"` and a `"match"` rule (`exact` unless given), and
/// optionally `"choices"` (for `choice`), `"family"` (reported per family) and `"stop"`.
public struct EvalItem: @unchecked Sendable {
    /// The request body sent to both models, less the sampling fields the evaluator sets.
    let request: [String: Any]
    /// `completions` for a prompt, `chat/completions` for messages.
    public let path: String
    public let answer: String
    public let match: AnswerMatch
    public let family: String?

    /// Parses line `number` (1-based, for errors) of `file`.
    public init(line: String, number: Int, file: String) throws(RouteEvalError) {
        guard let o = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else {
            throw .badItem(file: file, line: number, reason: "not a JSON object")
        }
        var request: [String: Any] = [:]
        if let prompt = o["prompt"] as? String {
            request["prompt"] = prompt
            path = "completions"
            // Few-shot prompts end at the line's end.
            request["stop"] = o["stop"] ?? ["\n"]
        } else if let messages = o["messages"] as? [Any], !messages.isEmpty {
            request["messages"] = messages
            path = "chat/completions"
            if let stop = o["stop"] { request["stop"] = stop }
        } else {
            throw .badItem(file: file, line: number, reason: "neither a \"prompt\" string nor a \"messages\" list")
        }
        guard let answer = o["answer"] as? String else { throw .badItem(file: file, line: number, reason: "no \"answer\" string") }
        let rule = o["match"] as? String ?? "exact"
        do { match = try AnswerMatch(rule: rule, answer: answer, choices: o["choices"] as? [String]) } catch {
            throw .badItem(file: file, line: number, reason: error.reason)
        }
        self.request = request
        self.answer = answer
        family = o["family"] as? String
    }

    /// Reads every non-blank line of the JSONL file at `path` (at most 64 MiB).
    public static func read(_ path: String) throws(RouteEvalError) -> [EvalItem] {
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path) }
        guard data.count <= 64 << 20 else { throw .badItem(file: path, line: 0, reason: "the file is over 64 MiB") }
        var items: [EvalItem] = []
        for (i, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            items.append(try EvalItem(line: String(line), number: i + 1, file: path))
        }
        guard !items.isEmpty else { throw .badItem(file: path, line: 0, reason: "no items") }
        return items
    }
}

/// Why `route eval` could not run.
public enum RouteEvalError: Error, Sendable, LocalizedError {
    case unreadable(String)
    case badItem(file: String, line: Int, reason: String)
    case request(item: Int, reason: String)
    case badEvaluation(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .unreadable(let path): return "cannot read \(path). Check the path."
        case .badItem(let file, let line, let reason):
            return "\(file):\(line): \(reason). Each line is {\"prompt\" or \"messages\", \"answer\", \"match\": exact|contains|regex|choice}."
        case .request(let item, let reason): return "item \(item): \(reason)"
        case .badEvaluation(let path, let reason): return "\(path) is not a routing evaluation (route-eval.json): \(reason)."
        }
    }
}
