import Foundation
import Hummingbird
import HummingbirdTesting
import KingletChatTemplate
import KingletRuntime
import KingletTestSupport
import Testing
@testable import KingletServer

/// What a hostile client, or a hostile web page in the user's browser, tries against a server on
/// loopback: each case was answered (or hung) before the server refused it. Timeouts are short
/// here (seconds) so the suite stays quick.
@Suite(.serialized) struct HostileClientTests {
    static func server(loaded: Bool = true, _ configure: (inout ServerOptions) -> Void = { _ in }) throws -> OpenAIServer {
        var o = ServerOptions()
        o.parallel = 2
        o.queue = 4
        o.maxBody = 64 * 1024
        configure(&o)
        let s = OpenAIServer(options: o, modelID: "smollm2-135m")
        if loaded { try s.modelLoaded(ServerTestSupport.engine.get()) }
        return s
    }

    /// One raw request (it should say `Connection: close`) and its whole answer.
    static func raw(_ port: Int, _ request: String) async throws -> RawResponse {
        try await offPool {
            let c = try RawConnection(port: port)
            c.send(request)
            return c.response()
        }
    }

    static func get(_ path: String, host: String?) -> String {
        "GET \(path) HTTP/1.1\r\n" + (host.map { "Host: \($0)\r\n" } ?? "") + "Connection: close\r\n\r\n"
    }

    /// One series from `/metrics`, e.g. `kinglet_connections_timed_out_total{phase="header"}`.
    static func metric(_ s: OpenAIServer, _ series: String) -> Double? {
        for line in s.metrics.prometheusText().split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.split(separator: " ").last ?? "")
        }
        return nil
    }

    /// Polls `condition` for up to `seconds`.
    static func eventually(seconds: Double = 3, _ condition: () -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        return condition()
    }

    @Test func foreignHostIs403() async throws {
        try await Self.server(loaded: false).liveTest { client in
            let port = try #require(client.port)
            let evil = try await Self.raw(port, Self.get("/v1/models", host: "evil.example:\(port)"))
            #expect(evil.status == 403 && evil.errorCode == "host_not_allowed", "\(evil)")
            #expect(try await Self.raw(port, Self.get("/health", host: "rebound.attacker.example")).status == 403)
            #expect(try await Self.raw(port, "GET /v1/models HTTP/1.0\r\nConnection: close\r\n\r\n").status == 403, "no Host at all")
            for good in ["localhost:\(port)", "127.0.0.1:\(port)", "[::1]:\(port)", "LOCALHOST", "localhost."] {
                #expect(try await Self.raw(port, Self.get("/v1/models", host: good)).status == 200, "Host: \(good)")
            }
        }
        try await Self.server(loaded: false) { $0.allowedHosts = ["kinglet.lan"] }.liveTest { client in
            let port = try #require(client.port)
            #expect(try await Self.raw(port, Self.get("/v1/models", host: "kinglet.lan:\(port)")).status == 200)
            #expect(try await Self.raw(port, Self.get("/v1/models", host: "other.lan")).status == 403)
        }
    }

    @Test func foreignOriginIs403AllowedOneGetsCORS() async throws {
        try await Self.server(loaded: false).liveTest { client in
            let r = try await client.execute(uri: "/v1/models", method: .get, headers: [.origin: "http://localhost:3000"])
            let e = try RouteTests.expectOpenAIError(r, .forbidden)
            #expect(e["code"] as? String == "origin_not_allowed")
            #expect(r.headers[.accessControlAllowOrigin] == nil)
        }
        let s = try Self.server(loaded: false) { $0.corsOrigins = ["https://app.example"]; $0.apiKey = "k" }
        try await s.liveTest { client in
            let post: HTTPFields = [.origin: "https://evil.example", .authorization: "Bearer k", .contentType: "application/json"]
            try RouteTests.expectOpenAIError(try await client.execute(uri: "/v1/chat/completions", method: .post, headers: post,
                                                                     body: RouteTests.body(RouteTests.hello)), .forbidden)
            let ok = try await client.execute(uri: "/v1/models", method: .get, headers: [.origin: "https://app.example", .authorization: "Bearer k"])
            #expect(ok.status == .ok)
            #expect(ok.headers[.accessControlAllowOrigin] == "https://app.example" && ok.headers[.vary] == "Origin")
            // an allowed page can read the errors too
            let noKey = try await client.execute(uri: "/v1/models", method: .get, headers: [.origin: "https://app.example"])
            #expect(noKey.status == .unauthorized && noKey.headers[.accessControlAllowOrigin] == "https://app.example")
            // the preflight needs no key, and grants the method and headers asked for
            let pre = try await client.execute(uri: "/v1/chat/completions", method: .options, headers: [
                .origin: "https://app.example", .accessControlRequestMethod: "POST", .accessControlRequestHeaders: "authorization, content-type"])
            #expect(pre.status == .noContent)
            #expect(pre.headers[.accessControlAllowOrigin] == "https://app.example")
            #expect(pre.headers[.accessControlAllowMethods]?.contains("POST") == true)
            #expect(pre.headers[.accessControlAllowHeaders]?.lowercased().contains("authorization") == true)
            let evilPre = try await client.execute(uri: "/v1/chat/completions", method: .options, headers: [
                .origin: "https://evil.example", .accessControlRequestMethod: "POST"])
            #expect(evilPre.status == .forbidden && evilPre.headers[.accessControlAllowOrigin] == nil)
            // no Origin (curl, SDKs): unaffected
            #expect(try await client.execute(uri: "/v1/models", method: .get, headers: [.authorization: "Bearer k"]).status == .ok)
        }
    }

    @Test func nonJSONBodiesAre415() async throws {
        let s = try Self.server()
        defer { s.shutdown() }
        try await s.liveTest { client in
            let body = RouteTests.body(RouteTests.hello)
            for type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"] {
                let r = try await client.execute(uri: "/v1/chat/completions", method: .post, headers: [.contentType: type], body: body)
                #expect(try RouteTests.expectOpenAIError(r, .unsupportedMediaType)["code"] as? String == "unsupported_media_type", "\(type)")
            }
            let untyped = try await client.execute(uri: "/v1/completions", method: .post, body: RouteTests.body(["prompt": "x", "max_tokens": 1]))
            try RouteTests.expectOpenAIError(untyped, .unsupportedMediaType)
            let ok = try await client.execute(uri: "/v1/chat/completions", method: .post, headers: [.contentType: "Application/JSON; charset=utf-8"], body: body)
            #expect(ok.status == .ok)
        }
    }

    @Test func slowHeaderSlowBodyAndSilentSocketsAreDropped() async throws {
        let s = try Self.server { $0.connections.headerTimeout = 1; $0.connections.bodyTimeout = 1; $0.connections.idleTimeout = 1 }
        defer { s.shutdown() }
        try await s.liveTest { client in
            let port = try #require(client.port)
            /// Sends `first` at once, then `text` a byte every 0.2 s until the server hangs up (or 6 s
            /// pass): its answer and when it hung up.
            func dribble(_ first: String, _ text: String) async throws -> (RawResponse, seconds: Double, closed: Bool) {
                try await offPool {
                    let c = try RawConnection(port: port)
                    let start = Date()
                    var got = ""
                    c.send(first)
                    for byte in text {
                        c.send(String(byte))
                        let (more, closed) = c.read(seconds: 0.2)
                        got += more
                        if closed || Date().timeIntervalSince(start) > 6 { return (RawResponse(got), Date().timeIntervalSince(start), closed) }
                    }
                    return (RawResponse(got), Date().timeIntervalSince(start), false)
                }
            }
            let padding = String(repeating: "a", count: 60)
            let header = try await dribble("", "GET /v1/models HTTP/1.1\r\nHost: localhost\r\nX-Slow: \(padding)\r\n\r\n")
            #expect(header.closed && header.seconds < 3, "slow header held for \(header.seconds) s")
            #expect(header.0.status == 408 && header.0.errorCode == "request_timeout", "\(header.0)")

            let body = try await dribble("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n",
                                         "{\"messages\": [" + padding)
            #expect(body.closed && body.seconds < 3, "slow body held for \(body.seconds) s")
            #expect(body.0.status == 408, "\(body.0)")

            let silent = try await offPool { () -> (Bool, Double) in
                let c = try RawConnection(port: port)
                let start = Date()
                let (_, closed) = c.read(seconds: 4)
                return (closed, Date().timeIntervalSince(start))
            }
            #expect(silent.0 && silent.1 < 3, "a silent socket held for \(silent.1) s")
            #expect(Self.metric(s, #"kinglet_connections_timed_out_total{phase="header"}"#) == 1)
            #expect(Self.metric(s, #"kinglet_connections_timed_out_total{phase="body"}"#) == 1)
            #expect((Self.metric(s, #"kinglet_connections_timed_out_total{phase="idle"}"#) ?? 0) >= 1)
            #expect(try await client.execute(uri: "/v1/models", method: .get).status == .ok, "still serving")
        }
    }

    @Test func connectionCapHoldsAndRequestsStillSucceed() async throws {
        let s = try Self.server(loaded: false) { $0.connections.maxConnections = 8; $0.connections.headerTimeout = 2 }
        try await s.liveTest { client in
            let port = try #require(client.port)
            // 20 sockets that say nothing: the server holds 8, closing the one idle the longest for each newcomer
            let idle = try await offPool {
                try (0 ..< 20).map { _ in
                    Thread.sleep(forTimeInterval: 0.01)  // accepted in this order
                    return try RawConnection(port: port)
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            #expect(Self.metric(s, "kinglet_connections_open") == 8)
            #expect(Self.metric(s, "kinglet_connections_evicted_total") == 12)
            // a client that sends a request still gets in and is answered
            #expect(try await client.execute(uri: "/v1/models", method: .get).status == .ok)
            let closed = try await offPool { idle.map { $0.read(seconds: 0.1).closed } }
            #expect(closed.prefix(13) == ArraySlice(repeating: true, count: 13) && closed.suffix(7) == ArraySlice(repeating: false, count: 7),
                    "the oldest idle sockets are closed first: \(closed)")
            for c in idle { c.close() }
            #expect(try await Self.eventually { Self.metric(s, "kinglet_connections_open") == 1 }, "closed sockets are forgotten: \(s.metrics.prometheusText())")

            // every place taken by a request in progress: a newcomer is answered 503 at once
            let busy = try await offPool { () -> [RawConnection] in
                try (0 ..< 8).map { _ in
                    let c = try RawConnection(port: port)
                    c.send("GET /v1/models HTTP/1.1\r\nHost: localhost\r\n")  // header not finished
                    Thread.sleep(forTimeInterval: 0.05)
                    return c
                }
            }
            let refused = try await offPool { () -> (RawResponse, Bool) in
                let c = try RawConnection(port: port)
                let (text, closed) = c.read(seconds: 1)
                return (RawResponse(text), closed)
            }
            #expect(refused.0.status == 503 && refused.0.errorCode == "too_many_connections" && refused.1, "\(refused.0)")
            #expect(Self.metric(s, "kinglet_connections_refused_total") == 1)
            // the header timeout frees the places again
            try await Task.sleep(for: .milliseconds(2500))
            #expect(try await client.execute(uri: "/v1/models", method: .get).status == .ok)
            withExtendedLifetime(busy) {}  // held open until here
        }
    }

    @Test func maxTokensAboveTheLimitIs400() async throws {
        let s = try Self.server { $0.maxTokensLimit = 16 }
        defer { s.shutdown() }
        try await s.liveTest { client in
            func post(_ body: [String: Any], _ uri: String = "/v1/chat/completions") async throws -> TestResponse {
                try await client.execute(uri: uri, method: .post, headers: RouteTests.jsonHeaders, body: RouteTests.body(body))
            }
            let msgs: [[String: Any]] = [["role": "user", "content": "Count to fifty."]]
            let e = try RouteTests.expectOpenAIError(try await post(["messages": msgs, "max_tokens": 17]), .badRequest, param: "max_tokens")
            #expect(e["code"] as? String == "max_tokens_above_limit")
            #expect((e["message"] as? String)?.contains("16") == true, "the message names the limit")
            try RouteTests.expectOpenAIError(try await post(["messages": msgs, "max_completion_tokens": 1000]), .badRequest, param: "max_completion_tokens")
            try RouteTests.expectOpenAIError(try await post(["prompt": "1, 2,", "max_tokens": 100], "/v1/completions"), .badRequest, param: "max_tokens")
            // a request that names no limit stops at the server's
            let r = try await post(["prompt": "1, 2, 3, 4, 5, 6, 7, 8, 9, 10,", "temperature": 0], "/v1/completions")
            #expect(r.status == .ok)
            let usage = try #require(try RouteTests.json(r)["usage"] as? [String: Any])
            #expect(usage["completion_tokens"] as? Int == 16)
        }
    }

    @Test func apiKeyFromEnvironmentAndFile() throws {
        func status(_ server: ServeProcess, key: String?) throws -> Int {
            let c = try RawConnection(port: server.port)
            c.send("GET /v1/models HTTP/1.1\r\nHost: localhost\r\n" + (key.map { "Authorization: Bearer \($0)\r\n" } ?? "") + "Connection: close\r\n\r\n")
            return c.response().status
        }
        let file = CLIProcessTests.temp("key")
        try Data("sk-from-file\n".utf8).write(to: file)
        let fromFile = try ServeProcess(["--api-key-file", file.path])
        #expect(try status(fromFile, key: nil) == 401)
        #expect(try status(fromFile, key: "sk-from-file") == 200, "the trailing newline is not part of the key")
        #expect(try status(fromFile, key: "sk-from-file2") == 401)
        fromFile.stop()
        let fromEnv = try ServeProcess([], environment: ["KINGLET_API_KEY": "sk-from-env"])
        #expect(try status(fromEnv, key: "sk-from-env") == 200)
        #expect(try status(fromEnv, key: "sk-from-fil") == 401)
        fromEnv.stop()

        // no key where one was asked for: the server does not start, and says which source is wrong
        let empty = CLIProcessTests.temp("empty")
        try Data("\n".utf8).write(to: empty)
        for (args, env, says) in [(["--api-key-file", empty.path], [:], "--api-key-file"),
                                  (["--api-key-file", "/nonexistent/kinglet-key"], [:], "--api-key-file"),
                                  ([], ["KINGLET_API_KEY": ""], "KINGLET_API_KEY")] as [([String], [String: String], String)] {
            let c = ChildProcess(try ServerTestSupport.kinglet(), ["serve", "--model", ServerTestSupport.modelPath, "--port", "0"] + args)
            c.process.environment = ProcessInfo.processInfo.environment.merging(env) { _, new in new }
            try c.start()
            #expect(c.finish(seconds: 60) != 0, "\(args) \(env)")
            #expect(c.stderr.string.contains(says), "stderr: \(c.stderr.string)")
        }
        #expect(APIKey.constantTimeEqual("abc", "abc") && !APIKey.constantTimeEqual("abc", "abd") && !APIKey.constantTimeEqual("abc", "abcd"))
    }

    /// A template that misbehaves only when a message says BOOM: that request fails alone.
    @Test func chatTemplateFailuresStayWithTheirRequest() async throws {
        let turn = "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}<|im_start|>assistant\n"
        let raising = "{% if 'BOOM' in messages[-1].content %}{{ raise_exception('no booms') }}{% endif %}" + turn
        // ~3 s of building 30 MB strings, within the interpreter's limits today: the deadline answers it
        // (a render budget in the interpreter may end it first, as an error)
        let looping = "{% if 'BOOM' in messages[-1].content %}{% for i in range(20) %}{% set n = ('BOOM' * 7500000) | length %}{% endfor %}{% endif %}" + turn
        for (source, codes) in [(raising, ["chat_template_error"]), (looping, ["chat_template_timeout", "chat_template_error"])] {
            let s = try Self.server { $0.chatTemplate = try! ChatTemplate(source: source); $0.templateTimeout = 0.5 }
            defer { s.shutdown() }
            try await s.liveTest { client in
                let start = Date()
                let r = try await client.execute(uri: "/v1/chat/completions", method: .post, headers: RouteTests.jsonHeaders, body: RouteTests.body(["messages": [["role": "user", "content": "BOOM"]], "max_tokens": 2]))
                #expect(r.status.code >= 400 && Date().timeIntervalSince(start) < 5)
                let code = try RouteTests.expectOpenAIError(r, r.status)["code"] as? String
                #expect(codes.contains(code ?? ""), "code \(code ?? "nil")")
                let ok = try await client.execute(uri: "/v1/chat/completions", method: .post, headers: RouteTests.jsonHeaders, body: RouteTests.body(RouteTests.hello))
                #expect(ok.status == .ok, "other requests are served")
            }
        }
        // a template that does not parse stops `kinglet serve` before it binds
        let broken = CLIProcessTests.temp("broken.jinja")
        try Data("{% for m in messages %}{{ m.content }".utf8).write(to: broken)
        for (path, says) in [(broken.path, "does not parse"), ("/nonexistent/t.jinja", "cannot read")] {
            let c = ChildProcess(try ServerTestSupport.kinglet(), ["serve", "--model", ServerTestSupport.modelPath, "--port", "0", "--chat-template-file", path])
            try c.start()
            #expect(c.finish(seconds: 60) != 0)
            #expect(c.stderr.string.contains("--chat-template-file") && c.stderr.string.contains(says), "stderr: \(c.stderr.string)")
        }
    }
}
