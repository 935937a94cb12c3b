import NIOCore

/// The first handler of every connection (raw bytes, before HTTP decoding): admits it through the
/// `ConnectionRegistry`, and closes it when a phase runs past its limit.
///
/// Phases, as `RequestPhaseHandler` reports the decoded request and response parts:
///
///     waiting ──first byte──▶ header ──head──▶ body ──end──▶ read (answering; no limit)
///        ▲                                                     │
///        └──────────────── response end (all answered) ────────┘
///
/// `waiting` ends after `idleTimeout`, `header` after `headerTimeout` (counted from the first
/// byte, so a byte every few seconds does not extend it), `body` after `bodyTimeout`. A request
/// timed out before any answer was started gets a 408 in OpenAI's JSON shape; then the connection
/// is closed.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    enum Phase: Equatable {
        case waiting(since: NIODeadline)
        case header(since: NIODeadline)
        case body(since: NIODeadline)
        case read
    }

    private let limits: ConnectionLimits
    private let registry: ConnectionRegistry
    private let metrics: ServerMetrics
    private var context: ChannelHandlerContext?
    private var admitted = false
    private var refused = false
    private var phase = Phase.waiting(since: .now())
    private var requestsStarted = 0
    private var responsesEnded = 0
    private var responding = false
    private var timer: Scheduled<Void>?
    private var timerDeadline: NIODeadline?
    private var id: ObjectIdentifier { ObjectIdentifier(self) }

    init(limits: ConnectionLimits, registry: ConnectionRegistry, metrics: ServerMetrics) {
        self.limits = limits
        self.registry = registry
        self.metrics = metrics
    }

    // MARK: channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { admit(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        admit(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        if admitted { registry.remove(id) }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }  // answered 503; nothing it sends is served
        // Bytes with no request open begin the next request's header (the decoder, next in line,
        // reports the head when it is complete).
        switch phase {
        case .waiting, .read: transition(to: .header(since: .now()))
        case .header, .body: break
        }
        context.fireChannelRead(data)
    }

    // MARK: reported by RequestPhaseHandler

    func requestHead() {
        requestsStarted += 1
        transition(to: .body(since: .now()))
    }

    func requestEnd() {
        transition(to: allAnswered ? .waiting(since: .now()) : .read)
    }

    func responseHead() {
        responding = true
        transition(to: phase)
    }

    func responseEnd() {
        responding = false
        responsesEnded += 1
        transition(to: phase == .read && allAnswered ? .waiting(since: .now()) : phase)
    }

    // MARK: state

    private var allAnswered: Bool { responsesEnded >= requestsStarted }
    private var isIdle: Bool { if case .waiting = phase, !responding { return true } else { return false } }

    /// When the current phase runs out; nil while answering.
    private var deadline: NIODeadline? {
        switch phase {
        case .waiting(let since): return responding ? nil : since + timeAmount(seconds: limits.idleTimeout)
        case .header(let since): return since + timeAmount(seconds: limits.headerTimeout)
        case .body(let since): return since + timeAmount(seconds: limits.bodyTimeout)
        case .read: return nil
        }
    }

    private func transition(to next: Phase) {
        let wasIdle = isIdle
        phase = next
        if admitted, wasIdle != isIdle { registry.setIdle(id, since: isIdle ? .now() : nil) }
        arm()
    }

    private func admit(_ context: ChannelHandlerContext) {
        guard !admitted, !refused else { return }
        switch registry.admit(id, channel: context.channel) {
        case .admitted:
            admitted = true
        case .admittedEvicting(let victim):
            admitted = true
            victim.close(promise: nil)
        case .refused:
            refused = true
            answerAndClose(context, .tooManyConnections(limit: registry.cap))
            return
        }
        phase = .waiting(since: .now())
        arm()
    }

    // MARK: timer

    /// Schedules a check at the current deadline unless one is due no later.
    private func arm() {
        guard let context, admitted, let deadline else { return }
        if let scheduled = timerDeadline, scheduled <= deadline { return }
        timer?.cancel()
        timerDeadline = deadline
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in fire() }
    }

    private func fire() {
        timer = nil
        timerDeadline = nil
        guard let context, let deadline else { return }
        guard deadline <= .now() else { arm(); return }
        switch phase {
        case .waiting:
            metrics.connectionTimedOut(phase: "idle")
            context.close(promise: nil)
        case .header:
            metrics.connectionTimedOut(phase: "header")
            // Only when no answer is on its way (a pipelined request may be waiting for one).
            if !responding && allAnswered {
                answerAndClose(context, .requestTimeout(part: "header", seconds: limits.headerTimeout, flag: "--header-timeout"))
            } else {
                context.close(promise: nil)
            }
        case .body:
            metrics.connectionTimedOut(phase: "body")
            if !responding && responsesEnded == requestsStarted - 1 {
                answerAndClose(context, .requestTimeout(part: "body", seconds: limits.bodyTimeout, flag: "--body-timeout"))
            } else {
                context.close(promise: nil)
            }
        case .read:
            break
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
        timerDeadline = nil
    }

    /// Writes `error` as a whole HTTP/1.1 response (the HTTP encoder is bypassed: nothing else is
    /// being written), then closes.
    private func answerAndClose(_ context: ChannelHandlerContext, _ error: APIError) {
        let body = WireJSON.encode(error.body)
        var buffer = context.channel.allocator.buffer(capacity: body.count + 160)
        buffer.writeString("HTTP/1.1 \(error.status.code) \(error.status.reasonPhrase)\r\n")
        buffer.writeString("Content-Type: application/json\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n")
        buffer.writeBytes(body)
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(buffer))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}

/// `seconds` as a NIO time amount.
func timeAmount(seconds: Double) -> TimeAmount { .nanoseconds(Int64(seconds * 1e9)) }
