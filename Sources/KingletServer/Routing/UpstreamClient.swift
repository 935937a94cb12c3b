import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// Sends escalated requests to the upstream server (AsyncHTTPClient: a connection pool, TLS for
/// `https`, connect and read timeouts). Everything the upstream sends is bounded: the time to its
/// head, the time to its end, and its size. Failures come back as `UpstreamFailure`, never thrown
/// past the router.
final class UpstreamClient: Sendable {
    let options: RoutingOptions
    private let http: HTTPClient

    init(options: RoutingOptions) {
        self.options = options
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .milliseconds(Int64(options.connectTimeout * 1000)),
                                      read: .milliseconds(Int64(options.timeout * 1000)))
        configuration.redirectConfiguration = .disallow
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func shutdown() async { try? await http.shutdown() }

    /// A whole (non-streaming) answer: the JSON object's bytes, checked to be an OpenAI answer.
    func complete(path: String, body: [UInt8]) async -> Result<[UInt8], UpstreamFailure> {
        let request = makeRequest(path: path, body: body)
        let (timeout, limit, http) = (options.timeout, options.maxResponseBytes, http)
        do {
            return .success(try await Self.withDeadline(timeout) {
                let response = try await Self.execute(http, request, timeout: timeout)
                let bytes: ByteBuffer
                do { bytes = try await response.body.collect(upTo: limit) } catch is NIOTooManyBytesError {
                    throw UpstreamFailure.malformed("a body over \(limit) bytes")
                }
                let array = Array(buffer: bytes)
                try Self.checkAnswer(array)
                return array
            })
        } catch let failure as UpstreamFailure {
            return .failure(failure)
        } catch {
            return .failure(Self.classify(error))
        }
    }

    /// A streamed answer, once its head is 200 and its first event is an OpenAI chunk.
    func stream(path: String, body: [UInt8]) async -> Result<UpstreamStream, UpstreamFailure> {
        let request = makeRequest(path: path, body: body)
        let started = Date()
        do {
            let response = try await Self.execute(http, request, timeout: options.timeout)
            let stream = UpstreamStream(response.body, started: started, timeout: options.timeout, limit: options.maxResponseBytes)
            try await stream.readFirstEvent()
            return .success(stream)
        } catch let failure as UpstreamFailure {
            return .failure(failure)
        } catch {
            return .failure(Self.classify(error))
        }
    }

    private func makeRequest(path: String, body: [UInt8]) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: options.endpoint(path))
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let key = options.key { request.headers.add(name: "Authorization", value: "Bearer \(key.secret)") }
        request.body = .bytes(ByteBuffer(bytes: body))
        return request
    }

    /// Sends `request`; a status other than 200 is a failure (its body is dropped unread).
    private static func execute(_ http: HTTPClient, _ request: HTTPClientRequest, timeout: Double) async throws -> HTTPClientResponse {
        // A logger that drops everything: the client's trace logging must not see the key header.
        let response = try await http.execute(request, timeout: .milliseconds(Int64(timeout * 1000)), logger: Logger(label: "kinglet.upstream", factory: { _ in SwiftLogNoOpLogHandler() }))
        guard response.status.code == 200 else { throw UpstreamFailure.status(Int(response.status.code)) }
        return response
    }

    /// An OpenAI answer is a JSON object with a `choices` array.
    static func checkAnswer(_ bytes: [UInt8]) throws(UpstreamFailure) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw .malformed("the body is not a JSON object")
        }
        guard object["choices"] is [Any] else { throw .malformed("the answer has no 'choices'") }
    }

    static func classify(_ error: any Error) -> UpstreamFailure {
        if let e = error as? HTTPClientError {
            if e == .deadlineExceeded || e == .readTimeout || e == .connectTimeout { return e == .connectTimeout ? .unreachable("connect timeout") : .timeout }
            return .unreachable("\(e)")
        }
        if error is CancellationError { return .timeout }
        return .unreachable("\(error)")
    }

    /// Runs `operation`, throwing `UpstreamFailure.timeout` (and cancelling it) after `seconds`.
    static func withDeadline<T: Sendable>(_ seconds: Double, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
                throw UpstreamFailure.timeout
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }
}
