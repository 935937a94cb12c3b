import Foundation
import Hummingbird
import KingletRuntime
import NIOCore

/// What every generating route shares: reading the body under the size limit, cancelling the
/// generation when the client goes away, queueing, collecting or streaming the updates.
struct GenerationRequest {
    let host: ModelHost
    let maxBody: Int
    /// Oversized bodies are read and dropped up to this many bytes before the 413.
    static let drainLimit = 64 << 20

    /// Runs `body` with the request's bytes. A client that closes its connection before the
    /// answer is complete cancels `cancelBox`'s ticket (non-streaming); a streaming response is
    /// cancelled by its failing writes. Errors become OpenAI JSON here, with `Connection: close`
    /// (the connection cannot be reused once its inbound side has been watched). Needs a real
    /// connection: Hummingbird's in-memory `.router` test setup has none (use `.live`/`.ahc`).
    func run(_ request: Request, context: some RequestContext,
             _ body: @escaping @Sendable ([UInt8], LoadedModel, CancelBox) async throws -> Response) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBody {
            // Read and drop the body first (up to a bound), so a client that sends it all before
            // reading gets the 413 instead of a stalled upload.
            var dropped = 0
            for try await chunk in request.body {
                dropped += chunk.readableBytes
                if dropped > Self.drainLimit { break }
            }
            throw APIError.bodyTooLarge(limit: maxBody)
        }
        let model = try host.requireReady()
        let box = CancelBox()
        var response: Response
        do {
            response = try await request.body.consumeWithInboundCloseHandler { requestBody in
                let bytes: ByteBuffer
                do {
                    bytes = try await requestBody.collect(upTo: maxBody)
                } catch is NIOTooManyBytesError {
                    throw APIError.bodyTooLarge(limit: maxBody)
                }
                let response = try await body(Array(buffer: bytes), model, box)
                // From here a streaming body watches its own writes; the inbound watcher is
                // cancelled when this closure returns, which must not read as a disconnect.
                box.detach()
                return response
            } onInboundClosed: {
                box.cancel()
            }
        } catch {
            box.cancel()
            box.detach()
            response = try OpenAIErrorMiddleware<BasicRequestContext>.apiError(error, request: request, maxBody: maxBody)
                .response(from: request, context: context)
        }
        response.headers[.connection] = "close"
        return response
    }

    /// Checks the tokenized prompt's length and the queue's room, then hands the job to the
    /// scheduler. (The route has checked the request's `model` before rendering its prompt.)
    static func submit(prompt: [Int32], promptParam: String, parameters: GenerateParameters, logprobs: Int?,
                       model: LoadedModel, box: CancelBox) throws(APIError) -> GenerationTicket {
        guard !prompt.isEmpty else { throw .invalid("The prompt is empty after tokenization.", param: promptParam) }
        guard prompt.count < model.contextLength else {
            throw .invalid("The prompt has \(prompt.count) tokens but the model's context holds \(model.contextLength) (including the reply). Shorten the prompt.",
                           param: promptParam, code: "context_length_exceeded")
        }
        let ticket = GenerationTicket(prompt: prompt, parameters: parameters, logprobs: logprobs)
        box.set(ticket)
        try model.scheduler.submit(ticket)
        return ticket
    }

    /// Everything a non-streaming answer needs.
    struct Collected {
        var text = ""
        var logprobs: [(TokenLogprob, offset: Int)] = []
        var summary: GenerationSummary?
    }

    /// Reads a ticket's updates to the end.
    static func collect(_ ticket: GenerationTicket) async throws(APIError) -> Collected {
        var out = Collected()
        for await update in ticket.updates {
            switch update {
            case .delta(let text, let logprob):
                if let logprob { out.logprobs.append((logprob, out.text.utf8.count)) }
                out.text += text
            case .finished(let s): out.summary = s
            case .failed(let why): throw failure(why)
            }
        }
        guard out.summary != nil else { throw .internalError("Generation ended without a result.") }
        return out
    }

    /// The error of a generation that failed: a non-streaming answer's 500, a stream's last event.
    static func failure(_ why: String) -> APIError { .internalError("Generation failed: \(why)") }

    /// A Server-Sent Events response: `first`, then `data: {json}` per piece of text (built by
    /// `delta`; an empty one without a logprob is skipped) and at the end (`finished`), then
    /// `data: [DONE]`; a failed generation ends with its error as the last event. A write that
    /// fails (client gone) cancels the generation.
    static func eventStream(_ ticket: GenerationTicket, first: [UInt8]?,
                            delta: @escaping @Sendable (String, TokenLogprob?) -> [[UInt8]],
                            finished: @escaping @Sendable (GenerationSummary) -> [[UInt8]]) -> Response {
        let body = ResponseBody { writer in
            defer { ticket.cancel() }
            if let first { try await writer.write(sse(first)) }
            for await update in ticket.updates {
                let chunks: [[UInt8]]
                switch update {
                case .delta(let text, let logprob): chunks = text.isEmpty && logprob == nil ? [] : delta(text, logprob)
                case .finished(let s): chunks = finished(s)
                case .failed(let why): chunks = [WireJSON.encode(failure(why).body)]
                }
                for c in chunks { try await writer.write(sse(c)) }
                if case .failed = update { break }
            }
            try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }

    /// One SSE event: `data: JSON` and a blank line.
    static func sse(_ json: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer(string: "data: ")
        buffer.writeBytes(json)
        buffer.writeString("\n\n")
        return buffer
    }

    static func requestID(_ prefix: String) -> String {
        prefix + String(UInt64.random(in: 0 ... UInt64.max), radix: 36)
    }

    static var now: Int { Int(Date().timeIntervalSince1970) }
}

/// Holds the ticket of a request so a disconnect seen before or after submission cancels it.
final class CancelBox: @unchecked Sendable {
    private let lock = NSLock()
    private var ticket: GenerationTicket?
    private var cancelled = false
    private var detached = false

    /// Ignore disconnect signals from now on.
    func detach() { lock.withLock { detached = true } }

    func set(_ t: GenerationTicket) {
        let cancelNow = lock.withLock { ticket = t; return cancelled }
        if cancelNow { t.cancel() }
    }

    func cancel() {
        let t: GenerationTicket? = lock.withLock {
            if detached { return nil }
            cancelled = true
            return ticket
        }
        t?.cancel()
    }
}
