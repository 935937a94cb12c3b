import Foundation
import KingletTestSupport
import KingletChatTemplate
import Testing
@testable import KingletDistill

/// The remote teacher against a scripted fake endpoint (Tests/Data/distill/flaky_openai_server.py):
/// retries, backoff, typed errors, the request it sends and the completion it reads.
@Suite struct RemoteTeacherTests {
    static func tokenizer() throws -> TeacherTokenizer { try TeacherTokenizer(engine: try TeacherTestSupport.engine.get()) }

    /// A fake server answering `statuses` in turn; its request log.
    static func fakeServer(_ statuses: String) throws -> (server: ChildProcess, base: URL, log: URL) {
        let log = try TeacherTestSupport.temporaryDirectory().appendingPathComponent("requests.jsonl")
        let script = TeacherTestSupport.root.appendingPathComponent("Tests/Data/distill/flaky_openai_server.py")
        let server = ChildProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-u", script.path, statuses, log.path])
        try server.start()
        let port = try server.waitFor("PORT [0-9]+", timeout: 30).dropFirst(5)
        return (server, URL(string: "http://127.0.0.1:\(port)")!, log)
    }

    static func logged(_ log: URL) throws -> [[String: Any]] {
        guard let text = try? String(contentsOf: log, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }

    static let fast = RetryPolicy(maxAttempts: 4, baseDelay: 0.01, maxDelay: 0.05)
    static let request = TeacherRequest(messages: [ChatMessage(role: "user", content: "hi")], maxTokens: 8, seed: 42, topLogprobs: 2)

    @Test func retriesOn429And500ThenSucceeds() async throws {
        let (server, base, log) = try Self.fakeServer("429,500,200")
        defer { server.stop() }
        let tok = try Self.tokenizer()
        let teacher = RemoteTeacher(url: base, model: "teacher-m", apiKey: "sk-test", tokenizer: tok, concurrency: 1, retry: Self.fast)
        let c = try await teacher.complete([Self.request])[0]
        #expect(c.text == "Echo: hi" && c.finishReason == "stop")
        #expect(c.topLogprobs?.count == 3 && c.topLogprobs?.allSatisfy { $0.count == 2 } == true)
        #expect(c.topLogprobs?[0] == [TeacherLogprob(token: "Echo", logprob: -0.5), TeacherLogprob(token: "Echo", logprob: -1.5)])
        let engine = try TeacherTestSupport.engine.get()
        #expect(c.promptTokens == (try engine.tokens(for: .chat(Self.request.messages))).map(Int.init))
        let im_end = engine.tokenizer.id(forTokenText: "<|im_end|>").map(Int.init)
        #expect(c.completionTokens.last == im_end, "a reply that stopped ends with the end-of-turn token")
        #expect(engine.tokenizer.decode(c.completionTokens.dropLast().map(Int32.init)) == "Echo: hi")

        let requests = try Self.logged(log)
        #expect(requests.map { $0["status"] as? Int } == [429, 500, 200])
        for r in requests {
            #expect(r["path"] as? String == "/v1/chat/completions")
            #expect(r["authorization"] as? String == "Bearer sk-test")
        }
        let body = requests[2]["body"] as! [String: Any]
        #expect(body["model"] as? String == "teacher-m" && body["max_tokens"] as? Int == 8 && body["seed"] as? Int == 42)
        #expect(body["logprobs"] as? Bool == true && body["top_logprobs"] as? Int == 2 && body["stream"] as? Bool == false)
        #expect((body["temperature"] as? Double).map { abs($0 - 0.8) < 1e-6 } == true)
        #expect(body["frequency_penalty"] == nil, "unset penalties are not sent")
        #expect((body["messages"] as? [[String: String]]) == [["role": "user", "content": "hi"]])
    }

    @Test func givesUpWithATypedErrorAfterTheLastRetry() async throws {
        let (server, base, log) = try Self.fakeServer("503")
        defer { server.stop() }
        let teacher = RemoteTeacher(url: base.appendingPathComponent("v1"), model: "m", tokenizer: try Self.tokenizer(),
                                    retry: RetryPolicy(maxAttempts: 3, baseDelay: 0.01, maxDelay: 0.05))
        let url = base.absoluteString + "/v1/chat/completions"
        await #expect(throws: TeacherError.http(status: 503, url: url, message: "scripted 503", attempts: 3)) {
            try await teacher.complete([Self.request])
        }
        #expect(try Self.logged(log).count == 3)
        #expect(TeacherError.http(status: 503, url: url, message: "m", attempts: 3).localizedDescription.contains("after 3 attempts"))
    }

    @Test func clientErrorsAreNotRetried() async throws {
        let (server, base, log) = try Self.fakeServer("401,200")
        defer { server.stop() }
        let teacher = RemoteTeacher(url: base, model: "m", tokenizer: try Self.tokenizer(), retry: Self.fast)
        do {
            _ = try await teacher.complete([Self.request])
            Issue.record("a 401 must fail")
        } catch let e as TeacherError {
            #expect(e == .http(status: 401, url: base.absoluteString + "/v1/chat/completions", message: "scripted 401", attempts: 1))
            #expect(e.localizedDescription.contains("--api-key"))
        }
        #expect(try Self.logged(log).count == 1)
    }

    /// One request of four in flight fails: the other three still finish and are saved, then the
    /// error comes out (this once deadlocked in URLSession's cancel path). With one in flight, no
    /// request starts after a failure.
    @Test(arguments: [(statuses: "401,200", concurrency: 4, sent: 4, saved: 3), (statuses: "200,401,200", concurrency: 1, sent: 2, saved: 1)])
    func aFailureLetsTheRequestsInFlightFinishAndBeSaved(statuses: String, concurrency: Int, sent: Int, saved: Int) async throws {
        let (server, base, log) = try Self.fakeServer(statuses)
        defer { server.stop() }
        let teacher = RemoteTeacher(url: base, model: "m", tokenizer: try Self.tokenizer(), concurrency: concurrency, retry: Self.fast)
        let dir = try TeacherTestSupport.temporaryDirectory()
        let prompts = (0 ..< 4).map { DistillPrompt(id: "\($0)", user: "q\($0)") }
        let generator = DistillGenerator(teacher: teacher, dataset: DistillDataset(directory: dir), settings: GenerationSettings())
        await #expect { try await generator.run(prompts) } throws: { e in
            guard case TeacherError.http(let status, _, _, let attempts) = e else { return false }
            return status == 401 && attempts == 1
        }
        #expect(try Self.logged(log).count == sent)
        let records = try DistillDataset(directory: dir).records()
        #expect(records.count == saved && records.allSatisfy { $0.completion.hasPrefix("Echo: q") })
    }

    @Test func connectionErrorsAreRetriedThenTyped() async throws {
        let (server, base, _) = try Self.fakeServer("200")
        server.stop()  // nothing listens on that port now
        let teacher = RemoteTeacher(url: base, model: "m", tokenizer: try Self.tokenizer(),
                                    retry: RetryPolicy(maxAttempts: 2, baseDelay: 0.01, maxDelay: 0.05))
        await #expect { try await teacher.complete([Self.request]) } throws: { e in
            guard case TeacherError.connection(let url, _, let attempts) = e else { return false }
            return attempts == 2 && url.hasPrefix(base.absoluteString)
        }
    }

    @Test func manyRequestsWithBoundedConcurrencyComeBackInOrder() async throws {
        let (server, base, log) = try Self.fakeServer("200")
        defer { server.stop() }
        let teacher = RemoteTeacher(url: base, model: "m", tokenizer: try Self.tokenizer(), concurrency: 3, retry: Self.fast)
        let requests = (0 ..< 10).map { TeacherRequest(messages: [ChatMessage(role: "user", content: "q\($0)")], seed: UInt64($0)) }
        let seen = Counter()
        let out = try await teacher.complete(requests) { _, _ in seen.increment() }
        #expect(out.map(\.text) == (0 ..< 10).map { "Echo: q\($0)" })
        #expect(out.allSatisfy { $0.topLogprobs == nil })
        #expect(try seen.value == 10 && Self.logged(log).count == 10)
    }

    @Test func backoffDoublesWithJitterAndHonoursRetryAfter() {
        let p = RetryPolicy(maxAttempts: 6, baseDelay: 0.5, maxDelay: 30, jitter: 0.5, maxRetryAfter: 120)
        #expect(p.delay(afterAttempt: 1, retryAfter: nil, unit: 0) == 0.5)
        #expect(p.delay(afterAttempt: 3, retryAfter: nil, unit: 0) == 2)
        #expect(p.delay(afterAttempt: 3, retryAfter: nil, unit: 0.5) == 2.5)
        #expect(p.delay(afterAttempt: 20, retryAfter: nil, unit: 0) == 30, "capped")
        #expect(p.delay(afterAttempt: 1, retryAfter: 7, unit: 0.9) == 7, "at least what the server asks")
        #expect(p.delay(afterAttempt: 4, retryAfter: 1, unit: 0) == 4, "never shorter than the backoff")
        #expect(p.delay(afterAttempt: 1, retryAfter: 1e6, unit: 0) == 120)
        #expect(RetryPolicy.retryAfter("3") == 3 && RetryPolicy.retryAfter(" 0 ") == 0 && RetryPolicy.retryAfter(nil) == nil)
        #expect(RetryPolicy.retryAfter("soon") == nil)
        let now = Date(timeIntervalSince1970: 1_445_412_480)  // Wed, 21 Oct 2015 07:28:00 GMT
        #expect(RetryPolicy.retryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now: now) == 30)
        #expect([429, 500, 502, 503].allSatisfy(RetryPolicy.isRetryable) && ![400, 401, 404, 200].contains(where: RetryPolicy.isRetryable))
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    var value: Int { lock.withLock { n } }
    func increment() { lock.withLock { n += 1 } }
}
