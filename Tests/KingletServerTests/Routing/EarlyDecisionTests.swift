import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import KingletServer

/// `--route SIGNAL:THRESHOLD:early=K`: the decision on the first K tokens.
@Suite(.serialized) struct EarlyDecisionTests {
    typealias T = RoutingServerTests

    static func generatedTokens(_ client: any TestClientProtocol) async throws -> Int {
        let text = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
        let line = text.split(separator: "\n").first { $0.hasPrefix("kinglet_generated_tokens_total ") }
        return Int(line?.split(separator: " ").last ?? "") ?? -1
    }

    @Test func escalationStopsTheLocalGenerationAtK() async throws {
        try await T.routed(RoutePolicy(signal: .meanLogprob, threshold: 1, earlyTokens: 3)) { client in
            let whole = try await T.post(client, T.chat("Write a long story about a cat.", maxTokens: 64))
            #expect(T.header(whole, "x-kinglet-route") == "upstream")
            let streamed = try await T.post(client, T.chat("Write a long story about a dog.", stream: true, maxTokens: 64))
            #expect(T.header(streamed, "x-kinglet-route") == "upstream")
            #expect(String(buffer: streamed.body) == FakeUpstream.chatStream)
            // Each local generation stopped after its third token (a step may end in flight).
            let generated = try await Self.generatedTokens(client)
            #expect(generated >= 6 && generated <= 8, "generated \(generated)")
        }
    }

    @Test func confidentStreamIsReleasedAfterK() async throws {
        let fake = try await T.routed(RoutePolicy(signal: .minLogprob, threshold: -1e9, earlyTokens: 2)) { client in
            let r = try await T.post(client, T.chat("Count from one to ten.", stream: true, maxTokens: 16))
            #expect(T.header(r, "x-kinglet-route") == "local")
            #expect(Double(T.header(r, "x-kinglet-score") ?? "") != nil)
            let events = String(buffer: r.body).components(separatedBy: "\n\n").filter { !$0.isEmpty }
            #expect(events.last == "data: [DONE]")
            // The whole local answer is released, not just the K tokens the decision read.
            let contents = events.dropLast().compactMap { e -> String? in
                let o = (try? JSONSerialization.jsonObject(with: Data(e.dropFirst(6).utf8))) as? [String: Any]
                return ((o?["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])?["content"] as? String
            }
            #expect(contents.filter { !$0.isEmpty }.count > 2)
        }
        #expect(fake.received.isEmpty)
    }

    @Test func shortAnswerDecidesOnAllItsTokens() async throws {
        try await T.routed(RoutePolicy(signal: .meanLogprob, threshold: -1e9, earlyTokens: 50)) { client in
            let r = try await T.post(client, T.chat(stream: true, maxTokens: 4))
            #expect(T.header(r, "x-kinglet-route") == "local")
            #expect(String(buffer: r.body).hasSuffix("data: [DONE]\n\n"))
        }
    }
}
