import NIOCore
import NIOHTTP1

/// Sits right after NIO's HTTP/1 decoder and tells the connection's `ConnectionGuard` where each
/// request and response is: head read, end read, answer started, answer done. Passes everything on.
final class RequestPhaseHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let connection: ConnectionGuard

    init(_ connection: ConnectionGuard) { self.connection = connection }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: connection.requestHead()
        case .end: connection.requestEnd()
        case .body: break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head: connection.responseHead()
        case .end: connection.responseEnd()
        case .body: break
        }
        context.write(data, promise: promise)
    }
}
