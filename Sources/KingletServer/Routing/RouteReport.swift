import Foundation
import Hummingbird

/// What a routed response says about its routing: the `x-kinglet-*` headers and the `kinglet`
/// extension object in JSON answers.
///
/// | header | value |
/// |---|---|
/// | `x-kinglet-route` | `local` or `upstream` (who answered) |
/// | `x-kinglet-score` | the policy signal's score of the local answer (absent when not scored) |
/// | `x-kinglet-signal` | the policy's signal |
/// | `x-kinglet-escalation` | `failed; reason=timeout` (and `unreachable`, `http_429`, `http_5xx`, `malformed`, ...) |
struct RouteReport: Sendable {
    var answeredBy: String
    var signal: ConfidenceSignal
    var score: Double?
    var scores: [String: Double] = [:]
    var failure: UpstreamFailure?

    static let scoreHeader = HTTPFields.Element.Name("x-kinglet-score")!
    static let signalHeader = HTTPFields.Element.Name("x-kinglet-signal")!
    static let escalationHeader = HTTPFields.Element.Name("x-kinglet-escalation")!
    static let routeHeader = HTTPFields.Element.Name(RouteMode.header)!

    func apply(to headers: inout HTTPFields) {
        headers[Self.routeHeader] = answeredBy
        headers[Self.signalHeader] = signal.description
        if let score { headers[Self.scoreHeader] = Self.format(score) }
        if let failure { headers[Self.escalationHeader] = "failed; reason=\(failure.label)" }
    }

    /// The `kinglet` object added to a JSON answer.
    var object: [String: Any] {
        var o: [String: Any] = ["route": answeredBy, "signal": signal.description]
        if let score { o["score"] = Self.json(score) }
        if !scores.isEmpty { o["scores"] = scores.mapValues(Self.json) }
        if let failure { o["escalation"] = "failed"; o["escalation_reason"] = failure.label }
        return o
    }

    /// `body` (a JSON object) with the `kinglet` object added; unchanged when not an object.
    func annotate(_ body: [UInt8]) -> [UInt8] {
        guard var o = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else { return body }
        o["kinglet"] = object
        return RoutedBody.encode(o)
    }

    static func format(_ x: Double) -> String { x.isFinite ? String(format: "%.4f", x) : (x < 0 ? "-inf" : "inf") }

    /// Non-finite numbers are not JSON: null.
    static func json(_ x: Double) -> Any { x.isFinite ? x : NSNull() }
}
