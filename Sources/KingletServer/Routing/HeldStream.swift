import Foundation
import Hummingbird
import NIOCore

/// A local streaming answer run into memory while the router waits for the early decision: the
/// events so far are held, the rest are read on demand.
final class HeldStream: @unchecked Sendable {
    private var iterator: AsyncStream<ByteBuffer>.AsyncIterator
    private let pump: Task<Void, Never>
    /// Events read before the decision, in order.
    private(set) var held: [ByteBuffer] = []

    /// Starts writing `response`'s body into a buffer of events.
    init(_ response: Response) {
        let (stream, continuation) = AsyncStream.makeStream(of: ByteBuffer.self)
        iterator = stream.makeAsyncIterator()
        let body = response.body
        pump = Task {
            try? await body.write(StreamingWriter(continuation: continuation))
            continuation.finish()
        }
    }

    /// Holds events until `decided()` is true; false when the stream ended first.
    func hold(until decided: () -> Bool) async -> Bool {
        while !decided() {
            guard let chunk = await iterator.next() else { return false }
            held.append(chunk)
        }
        return true
    }

    /// The next event after those held, nil at the end.
    func next() async -> ByteBuffer? { await iterator.next() }

    /// The held events, then the rest, to `writer`.
    func replay(to writer: inout any ResponseBodyWriter) async throws {
        for chunk in held { try await writer.write(chunk) }
        while let chunk = await next() { try await writer.write(chunk) }
    }

    deinit { pump.cancel() }
}
