import Foundation
import Hummingbird
import HummingbirdTesting
import KingletRuntime
import NIOCore
import Testing
@testable import KingletServer

/// The routes in-process (Hummingbird's AsyncHTTPClient test framework, a loopback port): status codes and
/// wire shapes, with the real model where generation is involved.
@Suite(.serialized) struct RouteTests {
    static func server(apiKey: String? = nil, loaded: Bool = true, parallel: Int = 2, queue: Int = 4) throws -> OpenAIServer {
        var o = ServerOptions()
        o.apiKey = apiKey
        o.parallel = parallel
        o.queue = queue
        o.maxBody = 64 * 1024
        let s = OpenAIServer(options: o, modelID: "smollm2-135m")
        if loaded { try s.modelLoaded(ServerTestSupport.engine.get()) }
        return s
    }

    static func json(_ r: TestResponse) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(r.body.readableBytesView)) as? [String: Any])
    }

    /// `{"error": {"message", "type", "param", "code"}}` with a non-empty message; returns the error dict.
    @discardableResult
    static func expectOpenAIError(_ r: TestResponse, _ status: HTTPResponse.Status, param: String? = nil,
                                  sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> [String: Any] {
        #expect(r.status == status, "status \(r.status), body \(String(buffer: r.body))", sourceLocation: sourceLocation)
        #expect(r.headers[.contentType] == "application/json", sourceLocation: sourceLocation)
        let e = try #require(try json(r)["error"] as? [String: Any], sourceLocation: sourceLocation)
        #expect((e["message"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
        #expect(e["type"] is String, sourceLocation: sourceLocation)
        #expect(e.keys.contains("param") && e.keys.contains("code"), sourceLocation: sourceLocation)
        if let param { #expect(e["param"] as? String == param, "param \(String(describing: e["param"]))", sourceLocation: sourceLocation) }
        return e
    }

    static func body(_ object: Any) -> ByteBuffer {
        ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: object))
    }

    static var hello: [String: Any] {
        ["model": "smollm2-135m", "messages": [["role": "user", "content": "Name three colours."]], "max_tokens": 8, "temperature": 0]
    }
    static let jsonHeaders: HTTPFields = [.contentType: "application/json"]

    @Test func healthModelsAndMetrics() async throws {
        let s = try Self.server()
        defer { s.shutdown() }
        try await s.liveTest { client in
            let h = try await client.execute(uri: "/health", method: .get)
            #expect(h.status == .ok)
            #expect(try Self.json(h)["status"] as? String == "ok")
            let m = try await client.execute(uri: "/v1/models", method: .get)
            let data = try #require(try Self.json(m)["data"] as? [[String: Any]])
            #expect(data.count == 1 && data[0]["id"] as? String == "smollm2-135m" && data[0]["object"] as? String == "model")
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            let text = String(buffer: metrics.body)
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain") == true)
            for name in ["kinglet_requests_total", "kinglet_generated_tokens_total", "kinglet_generated_tokens_per_second",
                         "kinglet_queue_depth", "kinglet_active_sequences"] {
                #expect(text.contains("# TYPE \(name) "), "\(name) missing")
            }
            #expect(text.contains("kinglet_requests_total{route=\"/health\",status=\"200\"} 1"))
        }
    }

    @Test func loadingModelIs503() async throws {
        let s = try Self.server(loaded: false)
        try await s.liveTest { client in
            let h = try await client.execute(uri: "/health", method: .get)
            #expect(h.status == .serviceUnavailable)
            #expect(try Self.json(h)["status"] as? String == "loading")
            let r = try await client.execute(uri: "/v1/chat/completions", method: .post, headers: Self.jsonHeaders, body: Self.body(Self.hello))
            try Self.expectOpenAIError(r, .serviceUnavailable)
            s.modelFailed("the file is broken")
            let f = try await client.execute(uri: "/v1/completions", method: .post, headers: Self.jsonHeaders, body: Self.body(["prompt": "x"]))
            let e = try Self.expectOpenAIError(f, .serviceUnavailable)
            #expect((e["message"] as? String)?.contains("the file is broken") == true)
        }
    }

    @Test func apiKey() async throws {
        let s = try Self.server(apiKey: "secret")
        defer { s.shutdown() }
        try await s.liveTest { client in
            try Self.expectOpenAIError(try await client.execute(uri: "/v1/models", method: .get), .unauthorized)
            try Self.expectOpenAIError(try await client.execute(uri: "/v1/models", method: .get, headers: [.authorization: "Bearer nope"]), .unauthorized)
            try Self.expectOpenAIError(try await client.execute(uri: "/v1/chat/completions", method: .post, headers: Self.jsonHeaders, body: Self.body(Self.hello)), .unauthorized)
            #expect(try await client.execute(uri: "/v1/models", method: .get, headers: [.authorization: "Bearer secret"]).status == .ok)
            #expect(try await client.execute(uri: "/health", method: .get).status == .ok)  // open
        }
    }

    @Test func errorStatusesAndParams() async throws {
        let s = try Self.server()
        defer { s.shutdown() }
        try await s.liveTest { client in
            func post(_ body: ByteBuffer, _ uri: String = "/v1/chat/completions") async throws -> TestResponse {
                try await client.execute(uri: uri, method: .post, headers: Self.jsonHeaders, body: body)
            }
            let msgs: [[String: Any]] = [["role": "user", "content": "hi"]]
            let notJSON = try Self.expectOpenAIError(try await post(ByteBuffer(string: "{not json")), .badRequest)
            #expect(notJSON["code"] as? String == "invalid_json")
            // Valid JSON whose number does not fit its field is not called "not JSON".
            let fraction = try Self.expectOpenAIError(
                try await post(ByteBuffer(string: #"{"messages": [{"role": "user", "content": "hi"}], "max_tokens": 1.5}"#)), .badRequest)
            #expect(fraction["code"] as? String != "invalid_json", "\(fraction)")
            #expect((fraction["message"] as? String)?.contains("does not fit its field") == true || fraction["param"] as? String == "max_tokens", "\(fraction)")
            try Self.expectOpenAIError(try await post(ByteBuffer(string: "")), .badRequest)
            try Self.expectOpenAIError(try await post(Self.body(["messages": "hi"])), .badRequest, param: "messages")
            try Self.expectOpenAIError(try await post(Self.body(["model": "m"])), .badRequest, param: "messages")
            try Self.expectOpenAIError(try await post(Self.body(["messages": [["role": "user", "content": 3]]])), .badRequest, param: "messages[0].content")
            try Self.expectOpenAIError(try await post(Self.body(["messages": []])), .badRequest, param: "messages")
            try Self.expectOpenAIError(try await post(Self.body(["messages": [["role": "robot", "content": "x"]]])), .badRequest, param: "messages[0].role")
            try Self.expectOpenAIError(try await post(Self.body(["messages": msgs, "n": 2])), .badRequest, param: "n")
            try Self.expectOpenAIError(try await post(Self.body(["messages": msgs, "temperature": 3])), .badRequest, param: "temperature")
            try Self.expectOpenAIError(try await post(Self.body(["messages": msgs, "max_tokens": 0])), .badRequest, param: "max_tokens")
            try Self.expectOpenAIError(try await post(Self.body(["messages": msgs, "max_completion_tokens": -1])), .badRequest, param: "max_completion_tokens")
            try Self.expectOpenAIError(try await post(Self.body(["messages": msgs, "stop": 5])), .badRequest, param: "stop")
            try Self.expectOpenAIError(try await post(Self.body(["messages": msgs, "top_logprobs": 2])), .badRequest, param: "top_logprobs")
            try Self.expectOpenAIError(try await post(Self.body(["messages": msgs, "logprobs": true, "top_logprobs": 21])), .badRequest, param: "top_logprobs")
            try Self.expectOpenAIError(try await post(Self.body(["messages": [["role": "user", "content": [["type": "image_url"]]]]])), .badRequest)
            try Self.expectOpenAIError(try await post(Self.body(["model": "gpt-4o", "messages": msgs])), .notFound, param: "model")
            try Self.expectOpenAIError(try await post(Self.body(["messages": [["role": "user", "content": String(repeating: "x", count: 70_000)]]])), .contentTooLarge)
            try Self.expectOpenAIError(try await post(Self.body(["prompt": ["a", "b"]]), "/v1/completions"), .badRequest, param: "prompt")
            try Self.expectOpenAIError(try await post(Self.body(["prompt": "a", "echo": true]), "/v1/completions"), .badRequest, param: "echo")
            try Self.expectOpenAIError(try await post(Self.body(["prompt": String(repeating: "word ", count: 3000)]), "/v1/completions"), .badRequest, param: "prompt")
            try Self.expectOpenAIError(try await client.execute(uri: "/v2/whatever", method: .get), .notFound)
            // still serving
            let ok = try await post(Self.body(Self.hello))
            #expect(ok.status == .ok)
        }
    }

    @Test func chatCompletionShape() async throws {
        let s = try Self.server()
        defer { s.shutdown() }
        try await s.liveTest { client in
            var req = Self.hello
            req["logprobs"] = true
            req["top_logprobs"] = 2
            let r = try await client.execute(uri: "/v1/chat/completions", method: .post, headers: Self.jsonHeaders, body: Self.body(req))
            #expect(r.status == .ok)
            let j = try Self.json(r)
            #expect(j["object"] as? String == "chat.completion")
            #expect((j["id"] as? String)?.hasPrefix("chatcmpl-") == true)
            #expect(j["model"] as? String == "smollm2-135m")
            let choice = try #require((j["choices"] as? [[String: Any]])?.first)
            let message = try #require(choice["message"] as? [String: Any])
            #expect(message["role"] as? String == "assistant")
            let content = try #require(message["content"] as? String)
            #expect(!content.isEmpty)
            #expect(["stop", "length"].contains(choice["finish_reason"] as? String ?? ""))
            let lp = try #require((choice["logprobs"] as? [String: Any])?["content"] as? [[String: Any]])
            #expect(!lp.isEmpty && lp.allSatisfy { ($0["top_logprobs"] as? [Any])?.count == 2 && ($0["logprob"] as? Double ?? 1) <= 0 })
            let usage = try #require(j["usage"] as? [String: Any])
            let (prompt, completion) = (try #require(usage["prompt_tokens"] as? Int), try #require(usage["completion_tokens"] as? Int))
            #expect(usage["total_tokens"] as? Int == prompt + completion)
            #expect(completion <= 8 && completion >= 1)
            #expect((usage["prompt_tokens_details"] as? [String: Int])?["cached_tokens"] == 0, "a fresh server has nothing cached")
        }
    }

    @Test func streamingShape() async throws {
        let s = try Self.server()
        defer { s.shutdown() }
        try await s.liveTest { client in
            let plain = try await client.execute(uri: "/v1/chat/completions", method: .post, headers: Self.jsonHeaders, body: Self.body(Self.hello))
            let plainText = try #require(((try Self.json(plain)["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["content"] as? String)
            var req = Self.hello
            req["stream"] = true
            req["stream_options"] = ["include_usage": true]
            let r = try await client.execute(uri: "/v1/chat/completions", method: .post, headers: Self.jsonHeaders, body: Self.body(req))
            #expect(r.status == .ok)
            #expect(r.headers[.contentType] == "text/event-stream")
            let events = String(buffer: r.body).components(separatedBy: "\n\n").filter { !$0.isEmpty }
            #expect(events.allSatisfy { $0.hasPrefix("data: ") })
            #expect(events.last == "data: [DONE]")
            let chunks = try events.dropLast().map { try #require(JSONSerialization.jsonObject(with: Data($0.dropFirst(6).utf8)) as? [String: Any]) }
            #expect(chunks.allSatisfy { $0["object"] as? String == "chat.completion.chunk" })
            var text = ""
            var reasons: [String] = []
            for c in chunks {
                for choice in c["choices"] as? [[String: Any]] ?? [] {
                    text += (choice["delta"] as? [String: Any])?["content"] as? String ?? ""
                    if let f = choice["finish_reason"] as? String { reasons.append(f) }
                }
            }
            #expect(text == plainText)
            #expect(reasons.count == 1)
            #expect((chunks.last?["choices"] as? [Any])?.isEmpty == true)
            #expect((chunks.last?["usage"] as? [String: Any])?["completion_tokens"] is Int)
        }
    }

    @Test func queueFullIs429() async throws {
        let s = try Self.server(parallel: 1, queue: 0)
        defer { s.shutdown() }
        try await s.liveTest { client in
            // Occupy the one slot with a long generation, then a second request finds no room.
            let long: [String: Any] = ["prompt": "1, 2, 3, 4, 5, 6,", "max_tokens": 400, "temperature": 0]
            async let first = client.execute(uri: "/v1/completions", method: .post, headers: Self.jsonHeaders, body: Self.body(long))
            var busy = false
            for _ in 0 ..< 200 where !busy {
                try await Task.sleep(for: .milliseconds(20))
                busy = s.metrics.prometheusText().contains("kinglet_active_sequences 1")
            }
            #expect(busy)
            let second = try await client.execute(uri: "/v1/chat/completions", method: .post, headers: Self.jsonHeaders, body: Self.body(Self.hello))
            try Self.expectOpenAIError(second, .tooManyRequests)
            #expect(try await first.status == .ok)
        }
    }
}
