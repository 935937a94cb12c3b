import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import KingletServer

/// A small in-process OpenAI-compatible server standing in for the upstream: it answers chat and
/// text completions with fixed text (whole or as fixed events), or misbehaves as told, and keeps
/// every request it got.
final class FakeUpstream: @unchecked Sendable {
    enum Behaviour: Sendable {
        case answer
        /// Answers after this many seconds.
        case slow(Double)
        /// Answers with this HTTP status and an OpenAI error body.
        case status(Int)
        /// 200 with a body that is not an OpenAI answer (HTML; for streams, events of nonsense).
        case malformed
    }

    struct Received: @unchecked Sendable {
        var path: String
        var authorization: String?
        var body: [String: Any]
    }

    private let lock = NSLock()
    private var _behaviour: Behaviour = .answer
    private var _received: [Received] = []

    var behaviour: Behaviour {
        get { lock.withLock { _behaviour } }
        set { lock.withLock { _behaviour = newValue } }
    }
    var received: [Received] { lock.withLock { _received } }

    static let model = "big-model"
    static let text = "forty-two"

    /// The exact events a streamed chat answer sends (the router must pass them through as is).
    static let chatEvents: [String] = [
        #"data: {"id":"up-1","object":"chat.completion.chunk","created":1,"model":"big-model","choices":[{"index":0,"delta":{"role":"assistant","content":"forty"},"finish_reason":null}]}"#,
        #"data: {"id":"up-1","object":"chat.completion.chunk","created":1,"model":"big-model","choices":[{"index":0,"delta":{"content":"-two"},"finish_reason":null}]}"#,
        #"data: {"id":"up-1","object":"chat.completion.chunk","created":1,"model":"big-model","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
        "data: [DONE]",
    ]
    static var chatStream: String { chatEvents.map { $0 + "\n\n" }.joined() }

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.post("/v1/chat/completions") { request, _ in try await self.handle(request, chat: true) }
        router.post("/v1/completions") { request, _ in try await self.handle(request, chat: false) }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    /// Threads of the fake's own: on Swift's cooperative pool its answers would wait behind the
    /// suite's blocking tests (the same starvation `ServerThreads` spares the server), and a
    /// 429 would arrive after the router's timeout.
    static let threads = ServerThreads(count: 2)

    /// Runs `test` with the fake listening; its argument is the fake's base URL (`.../v1`).
    func run<T: Sendable>(_ test: @escaping @Sendable (URL) async throws -> T) async throws -> T {
        try await Self.threads.run {
            try await application().test(.live) { client in
                try await test(URL(string: "http://127.0.0.1:\(client.port!)/v1")!)
            }
        }
    }

    private func handle(_ request: Request, chat: Bool) async throws -> Response {
        var request = request
        let bytes = try await request.collectBody(upTo: 1 << 20)
        let body = (try? JSONSerialization.jsonObject(with: Data(buffer: bytes))) as? [String: Any] ?? [:]
        lock.withLock {
            _received.append(Received(path: request.uri.path, authorization: request.headers[.authorization], body: body))
        }
        let stream = body["stream"] as? Bool ?? false
        switch behaviour {
        case .answer: break
        case .slow(let seconds): try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
        case .status(let code):
            return Response(status: .init(code: code), headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: #"{"error":{"message":"busy","type":"server_error","param":null,"code":null}}"#)))
        case .malformed:
            if stream {
                return Response(status: .ok, headers: [.contentType: "text/event-stream"], body: .init(byteBuffer: ByteBuffer(string: "data: nonsense\n\n")))
            }
            return Response(status: .ok, headers: [.contentType: "text/html"], body: .init(byteBuffer: ByteBuffer(string: "<html>gateway</html>")))
        }
        if stream {
            let events = chat ? Self.chatStream
                : #"data: {"id":"up-2","object":"text_completion","created":1,"model":"big-model","choices":[{"index":0,"text":"forty-two","finish_reason":"stop"}]}"# + "\n\ndata: [DONE]\n\n"
            return Response(status: .ok, headers: [.contentType: "text/event-stream"], body: ResponseBody { writer in
                // One event per write, as a generating server sends them.
                for event in events.components(separatedBy: "\n\n") where !event.isEmpty {
                    try await writer.write(ByteBuffer(string: event + "\n\n"))
                }
                try await writer.finish(nil)
            })
        }
        let choice: [String: Any] = chat
            ? ["index": 0, "message": ["role": "assistant", "content": Self.text], "finish_reason": "stop"]
            : ["index": 0, "text": Self.text, "finish_reason": "stop"]
        let answer: [String: Any] = ["id": "up-1", "object": chat ? "chat.completion" : "text_completion", "created": 1, "model": Self.model,
                                     "choices": [choice], "usage": ["prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7]]
        return Response(status: .ok, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: answer))))
    }
}
