import Foundation
import Hummingbird
import HummingbirdTesting
import KingletRuntime
import Testing
@testable import KingletServer

/// The Server-Sent Events body both generating routes stream (`GenerationRequest.eventStream`),
/// fed scripted updates: what each update becomes, and the end of a stream that failed.
@Suite struct EventStreamTests {
    /// The response body for `updates`, the route's `delta` and `finished` writing plain strings.
    static func body(_ updates: [GenerationUpdate]) async throws -> String {
        let router = Router()
        router.get("stream") { _, _ -> Response in
            let ticket = GenerationTicket(prompt: [1], parameters: GenerateParameters(), logprobs: nil)
            for u in updates { ticket.continuation.yield(u) }
            ticket.continuation.finish()
            return GenerationRequest.eventStream(ticket, first: Array(#""first""#.utf8), delta: { text, logprob in
                [Array("\"\(text)|\(logprob == nil ? "-" : "lp")\"".utf8)]
            }, finished: { s in
                [Array("\"finished \(s.finishReason)\"".utf8), Array(#""usage""#.utf8)]
            })
        }
        return try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/stream", method: .get) { response in
                #expect(response.status == .ok && response.headers[.contentType] == "text/event-stream")
                return String(buffer: response.body)
            }
        }
    }

    @Test func eachUpdateBecomesItsEventsAndEmptyTextIsSkipped() async throws {
        let summary = GenerationSummary(promptTokens: 1, generatedTokens: 2, promptSeconds: 0, generateSeconds: 0, finishReason: .stop, seed: 0)
        let body = try await Self.body([.delta(text: "Hel", logprob: nil), .delta(text: "", logprob: nil), .delta(text: "lo", logprob: nil),
                                        .finished(summary)])
        #expect(body == #"data: "first""# + "\n\n" + #"data: "Hel|-""# + "\n\n" + #"data: "lo|-""# + "\n\n"
                + #"data: "finished stop""# + "\n\n" + #"data: "usage""# + "\n\n" + "data: [DONE]\n\n")
    }

    @Test func aFailedGenerationEndsWithItsErrorThenDone() async throws {
        let body = try await Self.body([.delta(text: "Hi", logprob: nil), .failed("the model failed: boom"), .delta(text: "late", logprob: nil)])
        let events = body.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        #expect(events.count == 4, "\(events)")
        #expect(events.prefix(2) == [#"data: "first""#, #"data: "Hi|-""#])
        let error = try JSONSerialization.jsonObject(with: Data(events[2].dropFirst(6).utf8)) as? [String: Any]
        let detail = error?["error"] as? [String: Any]
        #expect(detail?["message"] as? String == "Generation failed: the model failed: boom")
        #expect(detail?["type"] as? String == "server_error")
        #expect(events[3] == "data: [DONE]", "nothing after the failure but the end")
    }
}
