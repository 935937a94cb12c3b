import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// Asks a routed server (`kinglet serve --upstream`, or the one `route eval` starts in process)
/// every item twice, greedy: in `auto` mode under a policy that never escalates (the local answer
/// and its scores) and in `upstream` mode (the upstream's answer; a fallback to the local model is
/// an error, not a label).
public struct RouteEvalRunner: Sendable {
    /// The routed server's base URL (`http://127.0.0.1:PORT/v1`).
    public private(set) var base: String
    public var maxTokens = 16
    public var concurrency = 4
    /// Seconds one request may take.
    public var timeout: Double = 300

    public init(base: String) { self.base = base }

    /// `other`'s settings against another server.
    public init(base: String, copying other: RouteEvalRunner) {
        self = other
        self.base = base
    }

    /// The policy the evaluated server must run: every local answer kept, so its scores come back.
    public static let keepAll = RoutePolicy(signal: .meanLogprob, threshold: -.infinity)

    public func run(_ items: [EvalItem], progress: @escaping @Sendable (Int) -> Void = { _ in }) async throws -> [RouteEvaluation.Record] {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { _ = Task { try? await client.shutdown() } }
        return try await withThrowingTaskGroup(of: (Int, RouteEvaluation.Record).self) { group in
            var records = [RouteEvaluation.Record?](repeating: nil, count: items.count)
            var next = 0, done = 0
            while done < items.count {
                while next < items.count && next - done < concurrency {
                    let i = next
                    group.addTask {
                        let record = try await evaluate(items[i], index: i, client: client)
                        return (i, record)
                    }
                    next += 1
                }
                guard let (i, record) = try await group.next() else { break }
                records[i] = record
                done += 1
                progress(done)
            }
            return records.map { $0! }
        }
    }

    func evaluate(_ item: EvalItem, index: Int, client: HTTPClient) async throws -> RouteEvaluation.Record {
        let local = try await ask(item, mode: .auto, index: index, client: client)
        let upstream = try await ask(item, mode: .upstream, index: index, client: client)
        guard upstream.route == "upstream" else {
            throw RouteEvalError.request(item: index + 1, reason: "the upstream did not answer (escalation \(upstream.escalation ?? "failed")); is it running?")
        }
        var scores: [String: Double?] = [:]
        for (k, v) in local.scores { scores[k] = v }
        return RouteEvaluation.Record(family: item.family, localAnswer: local.text, upstreamAnswer: upstream.text,
                                      localCorrect: item.match.accepts(local.text), upstreamCorrect: item.match.accepts(upstream.text), scores: scores)
    }

    struct Answer {
        var text: String
        var route: String?
        var escalation: String?
        var scores: [String: Double]
    }

    func ask(_ item: EvalItem, mode: RouteMode, index: Int, client: HTTPClient) async throws -> Answer {
        var body = item.request
        body["max_tokens"] = maxTokens
        body["temperature"] = 0
        body["seed"] = 0
        var request = HTTPClientRequest(url: base + "/" + item.path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: RouteMode.header, value: mode.rawValue)
        request.body = .bytes(ByteBuffer(bytes: RoutedBody.encode(body)))
        let response = try await client.execute(request, timeout: .seconds(Int64(timeout)))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        guard response.status == .ok, let o = (try? JSONSerialization.jsonObject(with: Data(buffer: bytes))) as? [String: Any] else {
            throw RouteEvalError.request(item: index + 1, reason: "HTTP \(response.status.code): \(String(buffer: bytes).prefix(300))")
        }
        let choice = (o["choices"] as? [[String: Any]])?.first
        let text = (choice?["message"] as? [String: Any])?["content"] as? String ?? choice?["text"] as? String ?? ""
        let k = o["kinglet"] as? [String: Any]
        return Answer(text: text, route: k?["route"] as? String, escalation: k?["escalation_reason"] as? String,
                      scores: (k?["scores"] as? [String: Any])?.compactMapValues { $0 as? Double } ?? [:])
    }
}
