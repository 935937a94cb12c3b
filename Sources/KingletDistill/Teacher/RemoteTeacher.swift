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
                        do { result = .success(try await complete(requests[i], session: session)) } catch { result = .failure(error) }
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
        if let failure { throw failure }
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
            (data, response) = try await Self.data(session, http)
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

extension RemoteTeacher {
    /// `URLSession.data(for:)` through a completion handler. The async API of Linux's
    /// FoundationNetworking can deadlock when its task is cancelled while the response arrives
    /// (the cancel waits for the session queue, which waits for the task's status lock); here the
    /// cancel is sent from another queue.
    static func data(_ session: URLSession, _ request: URLRequest) async throws -> (Data, URLResponse) {
        let handle = DataTaskHandle()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<(Data, URLResponse), Error>) in
                let task = session.dataTask(with: request) { data, response, error in
                    if let error {
                        c.resume(throwing: error)
                    } else if let response {
                        c.resume(returning: (data ?? Data(), response))
                    } else {
                        c.resume(throwing: URLError(.badServerResponse))
                    }
                }
                handle.start(task)
            }
        } onCancel: {
            handle.cancel()
        }
    }
}

/// A data task that may be cancelled before or after it starts; cancels go out asynchronously.
private final class DataTaskHandle: @unchecked Sendable {
    private let lock = NSLock()
    private var task: URLSessionDataTask?
    private var cancelled = false

    func start(_ t: URLSessionDataTask) {
        let cancelNow: Bool = lock.withLock {
            task = t
            return cancelled
        }
        t.resume()
        if cancelNow { DispatchQueue.global().async { t.cancel() } }
    }

    func cancel() {
        let t: URLSessionDataTask? = lock.withLock {
            cancelled = true
            return task
        }
        if let t { DispatchQueue.global().async { t.cancel() } }
    }
}
