import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A teacher behind an OpenAI-compatible endpoint (`POST {url}/v1/chat/completions`): a hosted
/// model, `kinglet serve`, llama.cpp's server, vLLM, ...
///
/// Up to `concurrency` requests are in flight. 429, 5xx and connection failures are retried with
/// exponential backoff and jitter (`RetryPolicy`, honouring `Retry-After`); other errors, and the
/// last failed retry, throw a `TeacherError`. Prompt and completion token ids come from the local
/// `tokenizer`, which must be the same model's.
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
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        configuration.httpMaximumConnectionsPerHost = concurrency
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        var results = [TeacherCompletion?](repeating: nil, count: requests.count)
        try await withThrowingTaskGroup(of: (Int, TeacherCompletion).self) { group in
            var next = 0
            func launch() {
                let i = next
                next += 1
                group.addTask { (i, try await complete(requests[i], session: session)) }
            }
            while next < min(concurrency, requests.count) { launch() }
            while let (i, c) = try await group.next() {
                results[i] = c
                onEach(i, c)
                if next < requests.count { launch() }
            }
        }
        return results.map { $0! }
    }

    /// One request, with retries.
    func complete(_ request: TeacherRequest, session: URLSession) async throws -> TeacherCompletion {
        var http = URLRequest(url: endpoint)
        http.httpMethod = "POST"
        http.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let apiKey { http.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization") }
        http.httpBody = try JSONEncoder().encode(ChatRequestBody(model: model, request: request))
        var attempt = 0
        while true {
            attempt += 1
            switch try await send(http, session: session, request: request, attempt: attempt) {
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

    func send(_ http: URLRequest, session: URLSession, request: TeacherRequest, attempt: Int) async throws -> Outcome {
        let url = endpoint.absoluteString
        let data: Data, response: URLResponse
        do {
            (data, response) = try await session.data(for: http)
        } catch let e as URLError where e.code != .cancelled && e.code != .badURL && e.code != .unsupportedURL {
            return .failed(.connection(url: url, reason: e.localizedDescription, attempts: attempt), retryAfter: nil)
        }
        guard let r = response as? HTTPURLResponse else { throw TeacherError.badResponse(url: url, reason: "not an HTTP response") }
        if r.statusCode == 200 { return .done(try completion(from: data, request: request)) }
        let failure = TeacherError.http(status: r.statusCode, url: url, message: ErrorBody.message(from: data), attempts: attempt)
        guard RetryPolicy.isRetryable(status: r.statusCode) else { throw failure }
        return .failed(failure, retryAfter: RetryPolicy.retryAfter(r.value(forHTTPHeaderField: "Retry-After")))
    }

    /// Reads a 200 response into a completion, tokenizing with the local tokenizer.
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
        if let k = request.topLogprobs {
            top = (choice.logprobs?.content ?? []).map { Array(($0.topLogprobs ?? []).prefix(k)) }
        }
        return TeacherCompletion(text: text, promptTokens: try tokenizer.promptTokens(request.messages),
                                 completionTokens: tokenizer.completionTokens(text, stopped: finish == "stop"),
                                 finishReason: finish, topLogprobs: top)
    }
}
