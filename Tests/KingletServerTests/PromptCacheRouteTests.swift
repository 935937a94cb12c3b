import Foundation
import Hummingbird
import HummingbirdTesting
import KingletChatTemplate
import KingletRuntime
import NIOCore
import Testing
@testable import KingletServer

extension RouteTests {
    /// The prompt cache on the wire, with the real model: `usage.prompt_tokens_details.cached_tokens`
    /// in chat and text completions (streamed final usage too), the /metrics figures, the switch
    /// that turns it off, and conversations answered as they are alone without a cache. Nested in
    /// `RouteTests` so the two suites' servers take turns with the shared engine.
    @Suite struct PromptCache {
        typealias R = RouteTests

        static func server(parallel: Int, queue: Int = 8, promptCache: Bool = true, directory: URL? = nil,
                           note: @escaping @Sendable (String) -> Void = { _ in }) throws -> OpenAIServer {
            var o = ServerOptions()
            o.parallel = parallel
            o.queue = queue
            o.promptCache = promptCache
            o.promptCacheDirectory = directory
            let s = OpenAIServer(options: o, modelID: "smollm2-135m")
            try s.modelLoaded(ServerTestSupport.engine.get(), note: note)
            return s
        }

        /// `--prompt-cache DIR`: a server writes its slots' caches when it goes idle; a new server
        /// on the same folder restores them and answers the same request again from the cache,
        /// with the same text. A damaged file is reported and not loaded.
        @Test func aRestartedServerRestoresItsSlots() async throws {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-slots-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let first = try Self.server(parallel: 2, directory: dir)
            let cold = try await first.liveTest { client in try Self.answer(try await Self.post(client, "/v1/chat/completions", R.hello)) }
            first.shutdown()
            let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".kvc") }
            #expect(files.count == 1 && files[0].hasSuffix("-slot-0.kvc"), "\(files)")

            let notes = NoteLog()
            let second = try Self.server(parallel: 2, directory: dir, note: notes.add)
            defer { second.shutdown() }
            let warm = try await second.liveTest { client in try Self.answer(try await Self.post(client, "/v1/chat/completions", R.hello)) }
            #expect(warm.cached == cold.prompt - 1 && warm.text == cold.text)
            #expect(notes.lines.contains { $0.contains("slot 0 restored, ") }, "\(notes.lines)")
            second.shutdown()

            let file = dir.appendingPathComponent(files[0])
            var bytes = try Data(contentsOf: file)
            bytes[bytes.count / 2] ^= 0xFF
            try bytes.write(to: file)
            let refused = NoteLog()
            let third = try Self.server(parallel: 2, directory: dir, note: refused.add)
            defer { third.shutdown() }
            let again = try await third.liveTest { client in try Self.answer(try await Self.post(client, "/v1/chat/completions", R.hello)) }
            #expect(again.cached == 0 && again.text == cold.text)
            #expect(refused.lines.contains { $0.contains("is damaged") }, "\(refused.lines)")
        }

        static func post(_ client: some TestClientProtocol, _ uri: String, _ body: [String: Any]) async throws -> TestResponse {
            let r = try await client.execute(uri: uri, method: .post, headers: R.jsonHeaders, body: R.body(body))
            #expect(r.status == .ok, "\(String(buffer: r.body))")
            return r
        }

        /// `usage` of a JSON answer: prompt tokens, cached tokens, the text.
        static func answer(_ r: TestResponse) throws -> (prompt: Int, cached: Int, text: String) {
            let j = try R.json(r)
            let usage = try #require(j["usage"] as? [String: Any])
            let details = try #require(usage["prompt_tokens_details"] as? [String: Int])
            let choice = try #require((j["choices"] as? [[String: Any]])?.first)
            let text = (choice["message"] as? [String: Any])?["content"] as? String ?? choice["text"] as? String
            return (try #require(usage["prompt_tokens"] as? Int), try #require(details["cached_tokens"]), try #require(text))
        }

        /// The same request twice: the second takes all but its last prompt token from the cache and
        /// answers the same, in chat, streamed chat (final usage chunk) and text completions; /metrics
        /// counts the cached tokens and a time to first token per request.
        @Test func cachedTokensAreReported() async throws {
            let s = try Self.server(parallel: 2)
            defer { s.shutdown() }
            try await s.liveTest { client in
                let cold = try Self.answer(try await Self.post(client, "/v1/chat/completions", R.hello))
                #expect(cold.cached == 0)
                let warm = try Self.answer(try await Self.post(client, "/v1/chat/completions", R.hello))
                #expect(warm.prompt == cold.prompt && warm.cached == cold.prompt - 1)
                #expect(warm.text == cold.text)

                var streamed = R.hello
                streamed["stream"] = true
                streamed["stream_options"] = ["include_usage": true]
                let r = try await Self.post(client, "/v1/chat/completions", streamed)
                let last = try #require(String(buffer: r.body).components(separatedBy: "\n\n").filter { $0.hasPrefix("data: {") }.last)
                let chunk = try #require(JSONSerialization.jsonObject(with: Data(last.dropFirst(6).utf8)) as? [String: Any])
                let usage = try #require(chunk["usage"] as? [String: Any])
                #expect((usage["prompt_tokens_details"] as? [String: Int])?["cached_tokens"] == cold.prompt - 1)

                let completion: [String: Any] = ["prompt": "The three primary colours are", "max_tokens": 6, "temperature": 0]
                let c1 = try Self.answer(try await Self.post(client, "/v1/completions", completion))
                let c2 = try Self.answer(try await Self.post(client, "/v1/completions", completion))
                #expect(c1.cached == 0 && c2.cached == c2.prompt - 1 && c2.text == c1.text)

                let metrics = s.metrics.prometheusText()
                #expect(metrics.contains("kinglet_prompt_tokens_cached_total \(2 * (cold.prompt - 1) + c2.prompt - 1)\n"), "\(metrics)")
                #expect(metrics.contains("kinglet_prompt_tokens_total \(3 * cold.prompt + 2 * c1.prompt)\n"))
                #expect(metrics.contains("kinglet_time_to_first_token_seconds_count 5\n"))
                #expect(metrics.contains("kinglet_time_to_first_token_seconds_bucket{le=\"+Inf\"} 5\n"))
                #expect(metrics.contains("# TYPE kinglet_time_to_first_token_seconds histogram\n"))
                #expect(metrics.contains("kinglet_queue_time_seconds_count 5\n"), "each request waited once")
                // One latency per token after a sequence's first.
                func value(_ series: String) -> Double? {
                    metrics.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
                }
                let generated = try #require(value("kinglet_generated_tokens_total"))
                let gaps = try #require(value("kinglet_inter_token_latency_seconds_count"))
                #expect(gaps > 0 && gaps >= generated - 5 && gaps < generated, "\(gaps) gaps for \(generated) tokens")
            }
        }

        /// `promptCache = false` (`--no-prompt-cache`): every prompt is evaluated whole.
        @Test func withoutThePromptCacheNothingIsCached() async throws {
            let s = try Self.server(parallel: 1, promptCache: false)
            defer { s.shutdown() }
            try await s.liveTest { client in
                let first = try Self.answer(try await Self.post(client, "/v1/chat/completions", R.hello))
                let second = try Self.answer(try await Self.post(client, "/v1/chat/completions", R.hello))
                #expect(first.cached == 0 && second.cached == 0 && second.text == first.text)
                #expect(s.metrics.prometheusText().contains("kinglet_prompt_tokens_cached_total 0\n"))
            }
        }

        static let topics = ["the sea", "mountains", "bread", "trains", "the moon", "gardens", "music", "winter"]
        static let followUps = ["Tell me more.", "Why is that?", "Say it in one sentence."]
        static let system = "You are a helpful assistant. Answer briefly."
        static let maxTokens = 16

        /// The conversations' turns through the server at once, each conversation's turns in order.
        struct Turn: Sendable { var text: String; var prompt: Int; var cached: Int }
        static func converse(_ topics: ArraySlice<String>, parallel: Int) async throws -> (turns: [[Turn]], metrics: String) {
            let s = try Self.server(parallel: parallel, queue: 8)
            defer { s.shutdown() }
            let turns: [[Turn]] = try await s.liveTest { client in
                try await withThrowingTaskGroup(of: (Int, [Turn]).self) { group in
                    for (i, topic) in topics.enumerated() {
                        group.addTask {
                            var messages: [[String: String]] = [["role": "system", "content": Self.system]]
                            var turns: [Turn] = []
                            for user in ["Tell me about \(topic)."] + Self.followUps {
                                messages.append(["role": "user", "content": user])
                                let body: [String: Any] = ["messages": messages, "max_tokens": Self.maxTokens, "temperature": 0]
                                let a = try Self.answer(try await Self.post(client, "/v1/chat/completions", body))
                                turns.append(Turn(text: a.text, prompt: a.prompt, cached: a.cached))
                                messages.append(["role": "assistant", "content": a.text])
                            }
                            return (i, turns)
                        }
                    }
                    var all = Array(repeating: [Turn](), count: topics.count)
                    for try await (i, turns) in group { all[i] = turns }
                    return all
                }
            }
            return (turns, s.metrics.prometheusText())
        }

        /// The check: 8 conversations of 4 turns at once on 4 slots, greedy. Every answer is
        /// the one the same conversation gets alone from empty caches. The conversations move in step,
        /// so each wave of requests takes the slots of the one before (least recently used) and a
        /// follow-up finds the shared system prompt, not its own history, cached; 4 conversations on
        /// the 4 slots find their whole history.
        @Test func concurrentConversationsAnswerAsAlone() async throws {
            let engine = try ServerTestSupport.engine.get()
            var p = GenerateParameters()
            p.sampling = .greedy
            p.maxTokens = Self.maxTokens
            // Alone, without a cache: each turn's whole prompt from an empty cache.
            var alone: [[String]] = []
            var firstPrompts: [[Int32]] = []
            for topic in Self.topics {
                var messages = [ChatMessage(role: "system", content: Self.system)]
                var answers: [String] = []
                for user in ["Tell me about \(topic)."] + Self.followUps {
                    messages.append(ChatMessage(role: "user", content: user))
                    let prompt = try engine.tokens(for: .chat(messages))
                    if answers.isEmpty { firstPrompts.append(prompt) }
                    var text = ""
                    let summary = try engine.run(prompt, parameters: p) { e in
                        if case .token(_, let t) = e { text += t }
                    }
                    #expect(summary.cachedTokens == 0)
                    answers.append(text)
                    messages.append(ChatMessage(role: "assistant", content: text))
                }
                alone.append(answers)
            }
            // What every conversation's prompt starts with (the system prompt, rendered).
            let shared = zip(firstPrompts[0], firstPrompts[1]).prefix { $0 == $1 }.count
            #expect(shared > 10)

            let eight = try await Self.converse(Self.topics[...], parallel: 4)
            for (i, turns) in eight.turns.enumerated() {
                #expect(turns.map(\.text) == alone[i], "conversation \(i)")
                #expect(turns.dropFirst().allSatisfy { $0.cached >= shared }, "conversation \(i): \(turns.map(\.cached))")
            }
            let cached = eight.turns.joined().reduce(0) { $0 + $1.cached }
            #expect(eight.metrics.contains("kinglet_prompt_tokens_cached_total \(cached)\n"))

            let four = try await Self.converse(Self.topics.prefix(4), parallel: 4)
            for (i, turns) in four.turns.enumerated() {
                #expect(turns.map(\.text) == alone[i], "conversation \(i)")
                for k in 1 ..< turns.count {
                    #expect(turns[k].cached >= turns[k - 1].prompt, "conversation \(i) turn \(k): the previous turn is reused")
                }
            }
            print("RouteTests.PromptCache: cached/prompt tokens per turn, 8 conversations on 4 slots:",
                  eight.turns.map { $0.map { "\($0.cached)/\($0.prompt)" } }, "4 on 4:", four.turns.map { $0.map { "\($0.cached)/\($0.prompt)" } })
        }
    }
}

/// Lines a server's `note` callback heard.
final class NoteLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    var lines: [String] { lock.withLock { stored } }
    func add(_ line: String) { lock.withLock { stored.append(line) } }
}
