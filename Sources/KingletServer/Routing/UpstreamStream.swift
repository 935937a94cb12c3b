import AsyncHTTPClient
import Foundation
import NIOCore

/// An upstream's Server-Sent Events body, passed through to the client as it comes. The first
/// event is read and checked before the router commits to this answer; the rest is cut at the
/// time and size limits.
final class UpstreamStream: @unchecked Sendable {
    private var iterator: HTTPClientResponse.Body.AsyncIterator
    private let deadline: Date
    private let limit: Int
    private var read = 0
    /// Bytes read while looking for the first event (sent first).
    private(set) var head = ByteBuffer()

    init(_ body: HTTPClientResponse.Body, started: Date, timeout: Double, limit: Int) {
        iterator = body.makeAsyncIterator()
        deadline = started.addingTimeInterval(timeout)
        self.limit = limit
    }

    /// Reads until the first complete event and checks that it is `data: {...}` with `choices`
    /// (or an OpenAI `error` object, which is a failure).
    func readFirstEvent() async throws {
        while true {
            guard let chunk = try await next() else { throw UpstreamFailure.malformed("the stream ended before its first event") }
            head.writeImmutableBuffer(chunk)
            let text = String(decoding: head.readableBytesView, as: UTF8.self)
            guard let end = text.range(of: "\n\n") ?? text.range(of: "\r\n\r\n") else {
                if head.readableBytes > 1 << 20 { throw UpstreamFailure.malformed("no event in the first MiB") }
                continue
            }
            let event = text[..<end.lowerBound]
            guard let data = event.split(separator: "\n").first(where: { $0.hasPrefix("data:") }) else {
                throw UpstreamFailure.malformed("the first event has no data")
            }
            let json = data.dropFirst(5).trimmingCharacters(in: .whitespaces)
            try UpstreamClient.checkAnswer(Array(json.utf8))
            return
        }
    }

    /// The next chunk, nil at the end; throws past the deadline or the size limit.
    func next() async throws -> ByteBuffer? {
        guard Date() < deadline else { throw UpstreamFailure.timeout }
        guard let chunk = try await iterator.next() else { return nil }
        read += chunk.readableBytes
        guard read <= limit else { throw UpstreamFailure.malformed("a stream over \(limit) bytes") }
        return chunk
    }
}
