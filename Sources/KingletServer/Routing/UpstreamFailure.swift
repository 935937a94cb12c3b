import Foundation

/// Why an escalation got no usable answer; the router then answers locally and says so.
enum UpstreamFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// No connection (refused, DNS, TLS, reset before an answer).
    case unreachable(String)
    /// No answer (or no end of it) within the timeout.
    case timeout
    /// An HTTP status other than 200 (429 and 5xx among them).
    case status(Int)
    /// A 200 whose body is not an OpenAI answer (not JSON, no `choices`, too large).
    case malformed(String)

    /// The metric label and the `x-kinglet-escalation` reason.
    var label: String {
        switch self {
        case .unreachable: return "unreachable"
        case .timeout: return "timeout"
        case .status(let s): return s == 429 ? "http_429" : s >= 500 ? "http_5xx" : "http_\(s)"
        case .malformed: return "malformed"
        }
    }

    var description: String {
        switch self {
        case .unreachable(let why): return "upstream unreachable: \(why)"
        case .timeout: return "upstream timed out"
        case .status(let s): return "upstream answered HTTP \(s)"
        case .malformed(let why): return "upstream answer malformed: \(why)"
        }
    }
}
