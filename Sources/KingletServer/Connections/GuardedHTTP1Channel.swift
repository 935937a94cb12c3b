import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1 child channel with Kinglet's connection limits in front: a
/// `ConnectionGuard` before the HTTP decoder (it sees every byte, so it can time a header that
/// arrives a byte at a time) and a `RequestPhaseHandler` right after it.
///
/// Hummingbird's own `idleTimeout` is not used: it counts silence between decoded parts, so it
/// cannot tell an idle keep-alive connection from a slow header; the guard times each phase.
struct GuardedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let http1: HTTP1Channel
    let limits: ConnectionLimits
    let registry: ConnectionRegistry
    let metrics: ServerMetrics

    /// A server builder for `Application(server:)`.
    static func builder(limits: ConnectionLimits, metrics: ServerMetrics) -> HTTPServerBuilder {
        let registry = ConnectionRegistry(cap: limits.maxConnections, metrics: metrics)
        return HTTPServerBuilder { responder in
            GuardedHTTP1Channel(http1: HTTP1Channel(responder: responder), limits: limits, registry: registry, metrics: metrics)
        }
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let (limits, registry, metrics) = (self.limits, self.registry, self.metrics)
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ConnectionGuard(limits: limits, registry: registry, metrics: metrics))
        }.flatMap {
            http1.setup(channel: channel, logger: logger)
        }.flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let connection = try pipeline.handler(type: ConnectionGuard.self)
            let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try pipeline.addHandler(RequestPhaseHandler(connection), position: .after(decoder))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }
}
