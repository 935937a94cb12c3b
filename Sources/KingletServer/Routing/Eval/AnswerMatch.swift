import Foundation

/// How an answer is judged right, after trimming blanks and a final full stop from the output.
///
/// | rule | right when |
/// |---|---|
/// | `exact` | the output equals the answer, ignoring case |
/// | `contains` | the output contains the answer, ignoring case |
/// | `regex` | the answer, a regular expression, matches the output (case-insensitive) |
/// | `choice` | of `choices`, the answer is the one the output starts with |
public enum AnswerMatch: Sendable {
    case exact(String)
    case contains(String)
    case regex(NSRegularExpression)
    case choice(String, among: [String])

    public struct RuleError: Error { public let reason: String }

    public init(rule: String, answer: String, choices: [String]? = nil) throws(RuleError) {
        switch rule {
        case "exact": self = .exact(answer)
        case "contains": self = .contains(answer)
        case "regex":
            guard let r = try? NSRegularExpression(pattern: answer, options: [.caseInsensitive]) else {
                throw RuleError(reason: "\"answer\" is not a valid regular expression")
            }
            self = .regex(r)
        case "choice":
            guard let choices, choices.contains(answer) else { throw RuleError(reason: "a choice item needs \"choices\" that include its \"answer\"") }
            self = .choice(answer, among: choices)
        default: throw RuleError(reason: "unknown \"match\" rule '\(rule)'")
        }
    }

    /// Whether `output` is right.
    public func accepts(_ output: String) -> Bool {
        var text = output.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasSuffix(".") { text.removeLast() }
        switch self {
        case .exact(let a): return text.caseInsensitiveCompare(a) == .orderedSame
        case .contains(let a): return text.range(of: a, options: .caseInsensitive) != nil
        case .regex(let r): return r.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        case .choice(let a, let choices):
            // The longest choice the output starts with (so "B" does not take "Blue").
            let picked = choices.filter { text.lowercased().hasPrefix($0.lowercased()) }.max { $0.count < $1.count }
            return picked == a
        }
    }
}
