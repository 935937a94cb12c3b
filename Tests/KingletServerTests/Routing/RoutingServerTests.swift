import Foundation
import Hummingbird
import HummingbirdTesting
import KingletRuntime
import Logging
import NIOCore
import Testing
@testable import KingletServer

/// `kinglet serve --upstream` in process, with the real local model and a fake upstream: who
/// answers, what reaches the upstream, streams passed through, per-request modes, every failure
/// answered locally and flagged, and the key kept out of logs and answers.
@Suite(.serialized) struct RoutingServerTests {
    static let key = "sk-test-SECRET-7f3a9c"
    /// Every answer's score is ≤ 0: this threshold escalates all of them.
    static let always = RoutePolicy(signal: .meanLogprob, threshold: 1)
    /// And this one none.
    static let never = RoutePolicy(signal: .meanLogprob, threshold: -1e9)

    static func server(_ upstream: URL, policy: RoutePolicy, timeout: Double = 10, logger: Logger? = nil) throws -> OpenAIServer {
        var o = ServerOptions()
        o.parallel = 2
        o.maxBody = 64 * 1024
        var r = RoutingOptions(upstream: upstream, upstreamModel: FakeUpstream.model, key: UpstreamKey(key), policy: policy)
        r.timeout = timeout
        r.connectTimeout = 2
        if let logger { r.logger = logger }
        o.routing = r
        let s = OpenAIServer(options: o, modelID: "smollm2-135m")
        try s.modelLoaded(ServerTestSupport.engine.get())
        return s
    }

    /// Runs `test` against a routed server under `policy` whose upstream is a new fake; returns
    /// the fake (what it received).
    @discardableResult
    static func routed(_ policy: RoutePolicy, _ test: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws -> FakeUpstream {
        let fake = FakeUpstream()
        try await fake.run { url in
            let s = try server(url, policy: policy)
            defer { s.shutdown() }
            try await s.liveTest(test)
        }
        return fake
    }

    static func chat(_ content: String = "What is the capital of France?", stream: Bool = false, route: String? = nil, maxTokens: Int = 8) -> ByteBuffer {
        var o: [String: Any] = ["model": "smollm2-135m", "messages": [["role": "user", "content": content]], "max_tokens": maxTokens, "temperature": 0]
        if stream { o["stream"] = true }
        if let route { o["route"] = route }
        return RouteTests.body(o)
    }

    static func post(_ client: any TestClientProtocol, _ body: ByteBuffer, uri: String = "/v1/chat/completions",
                     headers: HTTPFields = RouteTests.jsonHeaders) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .post, headers: headers, body: body)
    }

    static func header(_ r: TestResponse, _ name: String) -> String? { r.headers[HTTPFields.Element.Name(name)!] }

    static func kinglet(_ r: TestResponse) throws -> [String: Any] {
        try #require(try RouteTests.json(r)["kinglet"] as? [String: Any])
    }

    @Test func confidentAnswerStaysLocal() async throws {
        let fake = try await Self.routed(Self.never) { client in
            let r = try await Self.post(client, Self.chat())
            #expect(r.status == .ok)
            #expect(Self.header(r, "x-kinglet-route") == "local")
            #expect(Double(Self.header(r, "x-kinglet-score") ?? "") != nil)
            let json = try RouteTests.json(r)
            #expect(json["model"] as? String == "smollm2-135m")
            let k = try Self.kinglet(r)
            #expect(k["route"] as? String == "local")
            let scores = try #require(k["scores"] as? [String: Double])
            #expect(Set(scores.keys) == ["mean-logprob", "min-logprob", "chow-quantile", "mean-entropy"])
            // The signals are ordered as their definitions say.
            #expect(scores["min-logprob"]! <= scores["chow-quantile"]! && scores["chow-quantile"]! <= 0)
            #expect(scores["min-logprob"]! <= scores["mean-logprob"]! && scores["mean-entropy"]! <= 0)
            #expect(k["score"] as? Double == scores["mean-logprob"])
            // The kept answer's tokens are counted as generation no upstream was paid for.
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            let kept = metrics.split(separator: "\n").first { $0.hasPrefix("kinglet_route_local_tokens_total ") }
            let usage = try #require(json["usage"] as? [String: Any])
            #expect(kept.flatMap { Int($0.split(separator: " ").last ?? "") } == usage["completion_tokens"] as? Int)
        }
        #expect(fake.received.isEmpty)
    }

    @Test func unsureAnswerGoesUpstream() async throws {
        let fake = try await Self.routed(Self.always) { client in
            let r = try await Self.post(client, Self.chat(route: "auto"))
            #expect(r.status == .ok)
            #expect(Self.header(r, "x-kinglet-route") == "upstream")
            #expect(Self.header(r, "x-kinglet-escalation") == nil)
            let json = try RouteTests.json(r)
            #expect(json["model"] as? String == FakeUpstream.model)
            let message = (json["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any]
            #expect(message?["content"] as? String == FakeUpstream.text)
            #expect(try Self.kinglet(r)["route"] as? String == "upstream")
            let t = try await Self.post(client, RouteTests.body(["prompt": "Q: 2+2=\nA:", "max_tokens": 4, "temperature": 0]), uri: "/v1/completions")
            #expect(Self.header(t, "x-kinglet-route") == "upstream")
            #expect((try RouteTests.json(t)["choices"] as? [[String: Any]])?.first?["text"] as? String == FakeUpstream.text)
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(metrics.contains(#"kinglet_route_requests_total{mode="auto",answered_by="upstream"} 2"#))
            #expect(metrics.contains(#"kinglet_upstream_tokens_total{kind="completion"} 4"#))
            #expect(metrics.contains("kinglet_upstream_latency_seconds_count 2"))
        }
        let sent = fake.received
        #expect(sent.map(\.path) == ["/v1/chat/completions", "/v1/completions"])
        #expect(sent.allSatisfy { $0.authorization == "Bearer \(Self.key)" })
        // The extension field stays here; the upstream's model name replaces the client's.
        #expect(sent[0].body["route"] == nil)
        #expect(sent[0].body["model"] as? String == FakeUpstream.model)
        #expect(sent[0].body["max_tokens"] as? Int == 8)
    }

    @Test func upstreamStreamIsPassedThrough() async throws {
        let fake = try await Self.routed(Self.always) { client in
            let r = try await Self.post(client, Self.chat(stream: true))
            #expect(r.status == .ok)
            #expect(r.headers[.contentType] == "text/event-stream")
            #expect(Self.header(r, "x-kinglet-route") == "upstream")
            #expect(String(buffer: r.body) == FakeUpstream.chatStream)
        }
        #expect(fake.received.first?.body["stream"] as? Bool == true)
    }

    @Test func localAnswerToAStreamingClientIsStreamed() async throws {
        try await Self.routed(Self.never) { client in
            let r = try await Self.post(client, Self.chat(stream: true))
            #expect(Self.header(r, "x-kinglet-route") == "local")
            let events = String(buffer: r.body).components(separatedBy: "\n\n").filter { !$0.isEmpty }
            #expect(events.last == "data: [DONE]")
            let chunks = try events.dropLast().map { e in
                try #require(JSONSerialization.jsonObject(with: Data(e.dropFirst(6).utf8)) as? [String: Any])
            }
            #expect(chunks.allSatisfy { $0["object"] as? String == "chat.completion.chunk" && $0["model"] as? String == "smollm2-135m" })
            let text = chunks.compactMap { (($0["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])?["content"] as? String }.joined()
            #expect(!text.isEmpty)
            #expect((chunks.last?["kinglet"] as? [String: Any])?["route"] as? String == "local")
        }
    }

    @Test func perRequestModeOverridesTheScore() async throws {
        let fake = try await Self.routed(Self.always) { client in
            // Private prompt: kept on the device however unsure.
            let body = try await Self.post(client, Self.chat(route: "local-only"))
            #expect(Self.header(body, "x-kinglet-route") == "local")
            var headers = RouteTests.jsonHeaders
            headers[HTTPFields.Element.Name("x-kinglet-route")!] = "local-only"
            let header = try await Self.post(client, Self.chat(), headers: headers)
            #expect(Self.header(header, "x-kinglet-route") == "local")
            #expect(try RouteTests.json(header)["model"] as? String == "smollm2-135m")
            // The header wins over the body.
            let both = try await Self.post(client, Self.chat(route: "upstream"), headers: headers)
            #expect(Self.header(both, "x-kinglet-route") == "local")
            let bad = try await Self.post(client, Self.chat(route: "cloud"))
            try RouteTests.expectOpenAIError(bad, .badRequest, param: "route")
        }
        #expect(fake.received.isEmpty)
        let fake2 = try await Self.routed(Self.never) { client in
            let r = try await Self.post(client, Self.chat(route: "upstream"))
            #expect(Self.header(r, "x-kinglet-route") == "upstream")
            #expect(Self.header(r, "x-kinglet-score") == nil)  // the local model never ran
        }
        #expect(fake2.received.count == 1)
    }
}
