import Foundation
import Hummingbird
import NIOCore

/// A generating route behind the router (`kinglet serve --upstream`): the local route answers
/// first, its tokens' confidence is scored, and a request whose score is below the policy's
/// threshold goes to the upstream, whose answer (streamed through when the client streams) is
/// returned instead. A failed escalation returns the local answer, flagged (`RouteReport`).
///
/// Modes (`RouteMode`): `local-only` runs the local route untouched; `upstream` skips the local
/// model (it answers only if the upstream fails); `auto` decides by score, on the whole local
/// answer, or, with the policy's `earlyTokens` K, on its first K tokens (a streaming client then
/// gets the local stream as soon as K tokens are in, or the upstream's).
struct RoutedEndpoint: Sendable {
    typealias Handler = @Sendable (Request, BasicRequestContext) async throws -> Response
    /// `chat/completions` or `completions`.
    let path: String
    let local: Handler
    let upstream: UpstreamClient
    let metrics: RouteMetrics
    let maxBody: Int

    private var policy: RoutePolicy { upstream.options.policy }
    private var chat: Bool { path == "chat/completions" }

    func respond(_ request: Request, context: BasicRequestContext) async throws -> Response {
        var response = try await route(request, context: context)
        // As the local routes do: a connection whose inbound side was read here is not reused.
        response.headers[.connection] = "close"
        return response
    }

    private func route(_ request: Request, context: BasicRequestContext) async throws -> Response {
        var request = request
        let bytes: ByteBuffer
        do { bytes = try await request.collectBody(upTo: maxBody) } catch is NIOTooManyBytesError {
            throw APIError.bodyTooLarge(limit: maxBody)
        }
        let body = try RoutedBody(Array(buffer: bytes))
        let mode = try RouteMode.resolve(header: request.headers[RouteReport.routeHeader], body: body.route)
        switch mode {
        case .localOnly:
            return try await answerLocally(request, context, body, mode: mode, failure: nil)
        case .upstream:
            switch await escalate(body, report: RouteReport(answeredBy: "upstream", signal: policy.signal)) {
            case .success(let response):
                metrics.countRequest(mode: mode, answeredBy: "upstream")
                return response
            case .failure(let failure):
                return try await answerLocally(request, context, body, mode: mode, failure: failure)
            }
        case .auto:
            if body.stream && policy.earlyTokens != nil { return try await autoEarlyStream(request, context, body) }
            return try await autoWhole(request, context, body)
        }
    }

    /// The local route's own answer (streamed when asked), with the routing headers.
    private func answerLocally(_ request: Request, _ context: BasicRequestContext, _ body: RoutedBody, mode: RouteMode, failure: UpstreamFailure?) async throws -> Response {
        var request = request
        request.body = .init(buffer: ByteBuffer(bytes: body.local(stream: body.stream)))
        let response = try await local(request, context)
        let report = RouteReport(answeredBy: "local", signal: policy.signal, failure: failure)
        metrics.countRequest(mode: mode, answeredBy: "local")
        if body.stream || response.status != .ok { return Self.relabel(response, report) }
        return Self.replacingBody(response, report.annotate(try await CollectingWriter.collect(response)), report)
    }

    /// Auto mode deciding on the whole local answer (and, with `earlyTokens`, a client that does
    /// not stream: the local generation stops at the K-th token when it is to escalate).
    private func autoWhole(_ request: Request, _ context: BasicRequestContext, _ body: RoutedBody) async throws -> Response {
        var request = request
        request.body = .init(buffer: ByteBuffer(bytes: body.local(stream: false)))
        let sink = ConfidenceSink(policy: policy)
        let response = try await ConfidenceSink.$current.withValue(sink) { try await local(request, context) }
        let bytes = try await CollectingWriter.collect(response)
        var report = RouteReport(answeredBy: "local", signal: policy.signal, score: sink.score, scores: sink.allScores)
        // Busy (429) or failing (5xx) locally: worth escalating; a bad request (4xx) is not.
        let unavailable = response.status == .tooManyRequests || response.status.code >= 500
        if response.status != .ok && !unavailable { return Self.replacingBody(response, bytes, report) }
        if response.status == .ok && sink.decision == .local {
            metrics.countRequest(mode: .auto, answeredBy: "local")
            metrics.countKeptLocal(tokens: sink.recorded.count)
            return localAnswer(response, bytes, body, report)
        }
        var up = report
        up.answeredBy = "upstream"
        switch await escalate(body, report: up) {
        case .success(let answer):
            metrics.countRequest(mode: .auto, answeredBy: "upstream")
            return answer
        case .failure(let failure):
            report.failure = failure
            metrics.countRequest(mode: .auto, answeredBy: "local")
            return localAnswer(response, bytes, body, report)
        }
    }

    /// Auto mode for a streaming client with `earlyTokens` K: the local stream is held until its
    /// K-th token is scored, then released, or dropped (its generation stopped) for the upstream's.
    private func autoEarlyStream(_ request: Request, _ context: BasicRequestContext, _ body: RoutedBody) async throws -> Response {
        var request = request
        request.body = .init(buffer: ByteBuffer(bytes: body.local(stream: true)))
        let sink = ConfidenceSink(policy: policy)
        let response = try await ConfidenceSink.$current.withValue(sink) { try await local(request, context) }
        guard response.status == .ok else { return Self.relabel(response, RouteReport(answeredBy: "local", signal: policy.signal)) }
        let stream = HeldStream(response)
        _ = await stream.hold { sink.earlyDecision != nil }
        var report = RouteReport(answeredBy: "local", signal: policy.signal, score: sink.score, scores: [:])
        if sink.decision == .escalate {
            var up = report
            up.answeredBy = "upstream"
            switch await escalate(body, report: up) {
            case .success(let answer):
                // The rest of the local stream is dropped with `stream` (its generation stops).
                sink.stopGeneration()
                metrics.countRequest(mode: .auto, answeredBy: "upstream")
                return answer
            case .failure(let failure):
                report.failure = failure
            }
        }
        metrics.countRequest(mode: .auto, answeredBy: "local")
        var headers = response.headers
        report.apply(to: &headers)
        let (metrics, kept) = (metrics, report.failure == nil)
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            do { try await stream.replay(to: &writer) } catch {
                sink.stopGeneration()
                throw error
            }
            if kept { metrics.countKeptLocal(tokens: sink.recorded.count) }
            try await writer.finish(nil)
        })
    }

    /// The local answer the router held whole: as JSON with the `kinglet` object, or as events.
    private func localAnswer(_ response: Response, _ bytes: [UInt8], _ body: RoutedBody, _ report: RouteReport) -> Response {
        guard response.status == .ok else { return Self.replacingBody(response, bytes, report) }
        guard body.stream else { return Self.replacingBody(response, report.annotate(bytes), report) }
        var headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]
        report.apply(to: &headers)
        return Response(status: .ok, headers: headers,
                        body: .init(byteBuffer: AnswerAsEvents.events(bytes, chat: chat, includeUsage: body.includeUsage, report: report)))
    }

    /// Sends the request upstream: its answer as the response, or why there is none.
    private func escalate(_ body: RoutedBody, report: RouteReport) async -> Result<Response, UpstreamFailure> {
        let started = Date()
        let payload = body.upstream(model: upstream.options.upstreamModel)
        var headers: HTTPFields = [:]
        report.apply(to: &headers)
        let result: Result<Response, UpstreamFailure>
        if body.stream {
            result = await upstream.stream(path: path, body: payload).map { stream in
                metrics.observeUpstream(seconds: Date().timeIntervalSince(started), promptTokens: nil, completionTokens: nil)
                headers[.contentType] = "text/event-stream"
                headers[.cacheControl] = "no-cache"
                let logger = upstream.options.logger
                return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                    try await writer.write(stream.head)
                    do {
                        while let chunk = try await stream.next() { try await writer.write(chunk) }
                    } catch let failure as UpstreamFailure {
                        // Committed to this answer: the client sees the stream end without [DONE].
                        logger.warning("upstream stream cut: \(failure)")
                    }
                    try await writer.finish(nil)
                })
            }
        } else {
            result = await upstream.complete(path: path, body: payload).map { bytes in
                let usage = ((try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any])?["usage"] as? [String: Any]
                metrics.observeUpstream(seconds: Date().timeIntervalSince(started),
                                        promptTokens: usage?["prompt_tokens"] as? Int, completionTokens: usage?["completion_tokens"] as? Int)
                headers[.contentType] = "application/json"
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: report.annotate(bytes))))
            }
        }
        if case .failure(let failure) = result {
            metrics.countEscalationFailure(failure)
            // How long the attempt took, so an operator can tell a refused connection from a timeout.
            let seconds = String(format: "%.3f", Date().timeIntervalSince(started))
            upstream.options.logger.warning("escalation failed, answering locally: \(failure)",
                                            metadata: ["escalation_seconds": .string(seconds)])
        }
        return result
    }

    private static func relabel(_ response: Response, _ report: RouteReport) -> Response {
        var response = response
        report.apply(to: &response.headers)
        return response
    }

    private static func replacingBody(_ response: Response, _ bytes: [UInt8], _ report: RouteReport) -> Response {
        var headers = response.headers
        headers[.contentLength] = nil
        report.apply(to: &headers)
        return Response(status: response.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
