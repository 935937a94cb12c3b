import Foundation
import Hummingbird
import NIOCore

/// Runs a response body into memory (the local answer the router scores before deciding).
final class CollectingWriter: ResponseBodyWriter, @unchecked Sendable {
    private(set) var bytes = ByteBuffer()
    func write(_ buffer: ByteBuffer) async throws { bytes.writeImmutableBuffer(buffer) }
    func finish(_ trailingHeaders: HTTPFields?) async throws {}

    /// The whole body of `response`.
    static func collect(_ response: Response) async throws -> [UInt8] {
        let writer = CollectingWriter()
        try await response.body.write(writer)
        return Array(buffer: writer.bytes)
    }
}

/// Runs a response body into an `AsyncStream` (the local stream the router holds back until the
/// early decision).
struct StreamingWriter: ResponseBodyWriter {
    let continuation: AsyncStream<ByteBuffer>.Continuation
    func write(_ buffer: ByteBuffer) async throws { continuation.yield(buffer) }
    func finish(_ trailingHeaders: HTTPFields?) async throws { continuation.finish() }
}
