import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import KingletServer

/// An escalation that fails in any way returns the local answer, flagged, promptly; the key
/// reaches neither the logs nor the answers.
@Suite(.serialized, .timeLimit(.minutes(10))) struct RoutingFailureTests {
    typealias T = RoutingServerTests

    /// Sends one whole and one streamed request that must escalate and fail with `reason`;
    /// both must come back 200 from the local model, flagged. "Promptly" is checked on the
    /// escalation itself, as the router logs it: each attempt ended within the router's own bound
    /// (`timeout`, plus a margin for a machine loaded with the rest of the suite), not when the
    /// upstream gave up. Wall time around the whole test would count the model's pull and load and
    /// two local answers, which on a fresh clone's CI took 144 s, so it is no measure of the router.
    static func expectLocalFallback(_ url: URL, reason: String, timeout: Double = 10,
                                    sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let capture = LogCapture.logger()
        let s = try T.server(url, policy: T.always, timeout: timeout, logger: capture.0)
        defer { s.shutdown() }
        try await s.liveTest { client in
            let r = try await T.post(client, T.chat())
            #expect(r.status == .ok, sourceLocation: sourceLocation)
            #expect(T.header(r, "x-kinglet-route") == "local", sourceLocation: sourceLocation)
            #expect(T.header(r, "x-kinglet-escalation") == "failed; reason=\(reason)", sourceLocation: sourceLocation)
            let k = try T.kinglet(r)
            #expect(k["escalation"] as? String == "failed" && k["escalation_reason"] as? String == reason, sourceLocation: sourceLocation)
            #expect(try RouteTests.json(r)["model"] as? String == "smollm2-135m", sourceLocation: sourceLocation)
            let st = try await T.post(client, T.chat(stream: true))
            #expect(st.status == .ok, sourceLocation: sourceLocation)
            #expect(T.header(st, "x-kinglet-escalation") == "failed; reason=\(reason)", sourceLocation: sourceLocation)
            #expect(String(buffer: st.body).hasSuffix("data: [DONE]\n\n"), sourceLocation: sourceLocation)
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(metrics.contains(#"kinglet_route_escalation_failures_total{reason="\#(reason)"} 2"#), sourceLocation: sourceLocation)
            for text in [String(buffer: r.body), String(buffer: st.body), "\(r.headers)", "\(st.headers)", metrics] {
                #expect(!text.contains(T.key), sourceLocation: sourceLocation)
            }
        }
        let attempts = capture.1.values(of: "escalation_seconds").compactMap(Double.init)
        #expect(attempts.count == 2, "one logged attempt per request: \(attempts)", sourceLocation: sourceLocation)
        #expect(attempts.allSatisfy { $0 >= 0 && $0 < timeout + 5 }, "escalation seconds \(attempts), timeout \(timeout)", sourceLocation: sourceLocation)
        // The failure was logged, without the key.
        #expect(capture.1.text.contains("escalation failed"), sourceLocation: sourceLocation)
        #expect(!capture.1.text.contains(T.key), sourceLocation: sourceLocation)
    }

    @Test func unreachable() async throws {
        // Port 1 on loopback: nothing listens there.
        try await Self.expectLocalFallback(URL(string: "http://127.0.0.1:1/v1")!, reason: "unreachable")
    }

    @Test func slowUpstreamTimesOut() async throws {
        let fake = FakeUpstream()
        // An answer after 6 s would be the upstream's: the flag says the 1 s timeout cut it.
        fake.behaviour = .slow(6)
        try await fake.run { url in
            // reason=timeout (not an answer) is the check: the fake answers only after 6 s.
            try await Self.expectLocalFallback(url, reason: "timeout", timeout: 1)
        }
    }

    @Test(arguments: [(429, "http_429"), (500, "http_5xx"), (503, "http_5xx"), (401, "http_401")])
    func errorStatus(code: Int, reason: String) async throws {
        let fake = FakeUpstream()
        fake.behaviour = .status(code)
        try await fake.run { url in try await Self.expectLocalFallback(url, reason: reason) }
    }

    @Test func malformedAnswer() async throws {
        let fake = FakeUpstream()
        fake.behaviour = .malformed
        try await fake.run { url in try await Self.expectLocalFallback(url, reason: "malformed") }
    }

    @Test func keyIsRedactedWherePrinted() {
        let key = UpstreamKey(T.key)
        #expect("\(key)" == "<redacted>")
        #expect(String(reflecting: key) == "<redacted>")
        var o = RoutingOptions(upstream: URL(string: "http://x/v1")!, key: key, policy: T.always)
        o.timeout = 3
        #expect(!"\(o)".contains(T.key))
        #expect(!String(reflecting: o).contains(T.key))
    }
}
