import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

/// A teacher behind an OpenAI-compatible endpoint (`POST {url}/v1/chat/completions`): a hosted
/// model, `kinglet serve`, llama.cpp's server, vLLM, ...
///
/// Requests go through AsyncHTTPClient (a connection pool of `concurrency` per host, connect and
/// read timeouts, TLS for `https`). Up to `concurrency` requests are in flight. 429, 5xx and connection failures are retried with
/// exponential backoff and jitter (`RetryPolicy`, honouring `Retry-After`); other errors, and the
/// last failed retry, throw a `TeacherError`. Prompt and completion token ids come from the local
/// `tokenizer`, which must be the same model's; asked for `top_logprobs`, a completion also brings
/// them as scores (`RemoteReply`).
public struct RemoteTeacher: Teacher {
    /// The chat-completions endpoint.
    public let endpoint: URL
    /// The `model` field sent; also the teacher's recorded name.
    public let model: String
    public let apiKey: String?
    public let concurrency: Int
    public let retry: RetryPolicy
    public let tokenizer: TeacherTokenizer
    /// Seconds one request may take (a slow server generating a long reply needs minutes).
    public let timeout: TimeInterval

    public var name: String { model }

    /// A teacher at `url` (`http://host:port`, with or without a trailing `/v1`).
    public init(url: URL, model: String, apiKey: String? = nil, tokenizer: TeacherTokenizer, concurrency: Int = 8,
                retry: RetryPolicy = RetryPolicy(), timeout: TimeInterval = 600) {
        var base = url.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        if !base.hasSuffix("/v1") { base += "/v1" }
        endpoint = URL(string: base + "/chat/completions") ?? url
        self.model = model
        self.apiKey = apiKey
        self.tokenizer = tokenizer
        self.concurrency = max(1, concurrency)
        self.retry = retry
        self.timeout = timeout
    }

    public func complete(_ requests: [TeacherRequest],
                         onEach: @escaping @Sendable (Int, TeacherCompletion) -> Void) async throws -> [TeacherCompletion] {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(30), read: .seconds(Int64(timeout)))
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        // After a failure no new request starts, but those in flight finish and are reported
        // (a paid completion is kept); then the first error is thrown.
        typealias Outcome = (index: Int, result: Result<TeacherCompletion, Error>)
        let (results, failure) = await withTaskGroup(of: Outcome.self) { group -> ([TeacherCompletion?], Error?) in
            var results = [TeacherCompletion?](repeating: nil, count: requests.count)
            var failure: Error?
            var next = 0, inFlight = 0
            while true {
                while failure == nil && next < requests.count && inFlight < concurrency {
                    let i = next
                    next += 1
                    inFlight += 1
                    group.addTask {
                        // Not `return (i, .success(try await …))`: Swift 6.3 -O returns a wrong `i`
                        // from that form (the index read before the suspension is lost).
                        let result: Result<TeacherCompletion, Error>
                        do { result = .success(try await complete(requests[i], client: client)) } catch { result = .failure(error) }
                        return (i, result)
                    }
                }
                guard let (i, result) = await group.next() else { break }
                inFlight -= 1
                switch result {
                case .success(let c):
                    results[i] = c
                    onEach(i, c)
                case .failure(let e):
                    if failure == nil { failure = e }
                }
            }
            return (results, failure)
        }
        try? await client.shutdown()
        if let failure { throw failure }
        return results.map { $0! }
    }

    /// One request, with retries.
    func complete(_ request: TeacherRequest, client: HTTPClient) async throws -> TeacherCompletion {
        var http = HTTPClientRequest(url: endpoint.absoluteString)
        http.method = .POST
        http.headers.add(name: "Content-Type", value: "application/json")
        if let apiKey { http.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        http.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(ChatRequestBody(model: model, request: request))))
        var attempt = 0
        while true {
            attempt += 1
            switch try await send(http, client: client, request: request, attempt: attempt) {
            case .done(let completion):
                return completion
            case .failed(let failure, let retryAfter):
                guard attempt < retry.maxAttempts else { throw failure }
                try await Task.sleep(nanoseconds: UInt64(retry.delay(afterAttempt: attempt, retryAfter: retryAfter) * 1e9))
            }
        }
    }

    /// The outcome of one try: a completion, or a failure worth retrying (others throw).
    enum Outcome {
        case done(TeacherCompletion)
        case failed(TeacherError, retryAfter: TimeInterval?)
    }

    /// Largest response body read (a chat completion with top logprobs is tens of KB).
    static let maxResponseBytes = 64 << 20

    func send(_ http: HTTPClientRequest, client: HTTPClient, request: TeacherRequest, attempt: Int) async throws -> Outcome {
        let url = endpoint.absoluteString
        let status: Int, retryAfter: String?, body: ByteBuffer
        do {
            let response = try await client.execute(http, timeout: .seconds(Int64(timeout)))
            status = Int(response.status.code)
            retryAfter = response.headers.first(name: "Retry-After")
            body = try await response.body.collect(upTo: Self.maxResponseBytes)
        } catch is CancellationError {
            throw CancellationError()
        } catch is NIOTooManyBytesError {
            throw TeacherError.badResponse(url: url, reason: "a response body over \(Self.maxResponseBytes >> 20) MiB")
        } catch let e as HTTPClientError where Self.isRequestError(e) {
            throw TeacherError.badResponse(url: url, reason: "\(e)")
        } catch {
            // Refused, reset or timed-out connections, and servers that hang up: worth a retry.
            return .failed(.connection(url: url, reason: "\(error)", attempts: attempt), retryAfter: nil)
        }
        let data = Data(buffer: body)
        if status == 200 { return .done(try completion(from: data, request: request)) }
        let failure = TeacherError.http(status: status, url: url, message: ErrorBody.message(from: data), attempts: attempt)
        guard RetryPolicy.isRetryable(status: status) else { throw failure }
        return .failed(failure, retryAfter: RetryPolicy.retryAfter(retryAfter))
    }

    /// Errors in the request itself (its URL), which no retry mends.
    static func isRequestError(_ e: HTTPClientError) -> Bool {
        [.invalidURL, .emptyHost, .emptyScheme, .cancelled].contains(e) || "\(e)".contains("unsupportedScheme")
    }

    /// Reads a 200 response into a completion in the local tokenizer's ids (`RemoteReply`).
    func completion(from data: Data, request: TeacherRequest) throws -> TeacherCompletion {
        let body: ChatResponseBody
        do { body = try JSONDecoder().decode(ChatResponseBody.self, from: data) } catch {
            throw TeacherError.badResponse(url: endpoint.absoluteString, reason: "\(error)")
        }
        guard let choice = body.choices.first else {
            throw TeacherError.badResponse(url: endpoint.absoluteString, reason: "no choices")
        }
        let text = choice.message.content ?? ""
        let finish = choice.finishReason ?? "stop"
        var top: [[TeacherLogprob]]?
        var positions = choice.logprobs?.content ?? []
        if let k = request.topLogprobs {
            for i in positions.indices { positions[i].topLogprobs = Array((positions[i].topLogprobs ?? []).prefix(k)) }
            top = positions.map { $0.topLogprobs ?? [] }
        }
        let reply = RemoteReply(text: text, stopped: finish == "stop", positions: positions, topK: request.topLogprobs, tokenizer: tokenizer)
        return TeacherCompletion(text: text, promptTokens: try tokenizer.promptTokens(request.messages),
                                 completionTokens: reply.tokens, finishReason: finish, topLogprobs: top, scores: reply.scores)
    }
}
