import Foundation
import KingletRuntime
import Prometheus

/// Counters, gauges and histograms for `GET /metrics`, kept in a swift-prometheus registry of the
/// server's own (no global bootstrap, so several servers in one process keep their own figures).
/// An app embedding the server may add its metrics to the same page:
/// `MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: server.metrics.registry))`.
public final class ServerMetrics: @unchecked Sendable {
    /// Every metric the server exposes; `GET /metrics` is its exposition text.
    public let registry = PrometheusCollectorRegistry()
    /// The router's counters (`kinglet serve --upstream`).
    public let routing: RouteMetrics

    private let rejected, promptTokens, cachedTokens, generatedTokens, steps, stepSequences, busySeconds: Counter
    private let connectionsRefused, connectionsEvicted: Counter
    private let finished: [FinishReason: Counter]
    private let timedOut: [String: Counter]
    private let waiting, active, connectionsOpen, tokensPerSecondGauge: Gauge
    private let timeToFirstToken, interTokenLatency, queueTime: ValueHistogram

    private let lock = NSLock()
    private var openConnections = 0
    private var recent: [(time: Double, tokens: Int)] = []  // decode tokens per second, sliding window
    private let window = 10.0
    private let started = Date()

    /// Upper bounds (seconds) of the time-to-first-token and queue-time buckets, `+Inf` aside.
    static let ttftBounds: [Double] = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
    /// Upper bounds (seconds) of the inter-token latency buckets.
    static let interTokenBounds: [Double] = [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1]

    /// Everything at zero.
    public init() {
        func name(_ n: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "kinglet", metricName: n, unitName: "", helpText: help)
        }
        let r = registry
        routing = RouteMetrics(registry: r)
        rejected = r.makeCounter(descriptor: name("requests_rejected_total", "Requests refused with 429 because the wait queue was full."))
        let generations = name("generations_total", "Generations ended, by finish reason.")
        finished = Dictionary(uniqueKeysWithValues: [FinishReason.stop, .length, .cancelled].map {
            ($0, r.makeCounter(descriptor: generations, labels: [("reason", $0.rawValue)]))
        })
        promptTokens = r.makeCounter(descriptor: name("prompt_tokens_total", "Prompt tokens of ended generations, those taken from a slot's prompt cache included."))
        cachedTokens = r.makeCounter(descriptor: name("prompt_tokens_cached_total", "Prompt tokens taken from a slot's prompt cache instead of evaluated."))
        timeToFirstToken = r.makeValueHistogram(descriptor: name("time_to_first_token_seconds", "Seconds from a request's queueing to its first sampled token."),
                                                buckets: Self.ttftBounds)
        interTokenLatency = r.makeValueHistogram(descriptor: name("inter_token_latency_seconds", "Seconds between two tokens of one sequence."),
                                                 buckets: Self.interTokenBounds)
        queueTime = r.makeValueHistogram(descriptor: name("queue_time_seconds", "Seconds a request waited for a generation slot."),
                                         buckets: Self.ttftBounds)
        generatedTokens = r.makeCounter(descriptor: name("generated_tokens_total", "Tokens generated."))
        tokensPerSecondGauge = r.makeGauge(descriptor: name("generated_tokens_per_second", "Tokens generated per second, all sequences together, over the last 10 s."))
        waiting = r.makeGauge(descriptor: name("queue_depth", "Requests waiting for a generation slot."))
        active = r.makeGauge(descriptor: name("active_sequences", "Sequences generating now."))
        steps = r.makeCounter(descriptor: name("batch_steps_total", "Batched forward passes run."))
        stepSequences = r.makeCounter(descriptor: name("batch_sequences_total", "Sequences summed over all batched forward passes (divide by steps for the mean batch size)."))
        connectionsOpen = r.makeGauge(descriptor: name("connections_open", "HTTP connections open."))
        connectionsRefused = r.makeCounter(descriptor: name("connections_refused_total", "Connections answered 503 and closed: at --max-connections with none idle."))
        connectionsEvicted = r.makeCounter(descriptor: name("connections_evicted_total", "Idle connections closed to make room for a new one at --max-connections."))
        let timeouts = name("connections_timed_out_total", "Connections closed because a phase ran past its timeout, by phase.")
        timedOut = Dictionary(uniqueKeysWithValues: ["idle", "header", "body"].map { ($0, r.makeCounter(descriptor: timeouts, labels: [("phase", $0)])) })
        busySeconds = r.makeCounter(descriptor: name("forward_seconds_total", "Seconds spent in forward passes."))
    }

    /// Counts one answered request (series are made on first use, one per route and status).
    func countRequest(route: String, status: Int) {
        registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "kinglet", metricName: "requests_total", unitName: "",
                                                              helpText: "HTTP requests answered, by route and status."),
                             labels: [("route", route), ("status", "\(status)")]).increment()
    }

    func countRejected() { rejected.increment() }

    func setQueue(waiting w: Int, active a: Int) {
        waiting.set(Int64(w))
        active.set(Int64(a))
    }

    func countGenerated(_ n: Int) {
        generatedTokens.increment(by: Int64(n))
        let now = Date().timeIntervalSince(started)
        lock.withLock {
            recent.append((now, n))
            trim(now)
        }
    }

    func countFinished(_ reason: FinishReason, promptTokens p: Int = 0, cachedTokens c: Int = 0) {
        finished[reason]?.increment()
        promptTokens.increment(by: Int64(p))
        cachedTokens.increment(by: Int64(c))
    }

    /// A request's time to first token: from queueing to the step that sampled its first token.
    func observeTimeToFirstToken(_ seconds: Double) { timeToFirstToken.record(seconds) }

    /// The time between a sequence's token and its previous one.
    func observeInterTokenLatency(_ seconds: Double) { interTokenLatency.record(seconds) }

    /// How long a request waited in the queue before a slot took it.
    func observeQueueTime(_ seconds: Double) { queueTime.record(seconds) }

    func connectionOpened(evicting: Bool = false) {
        if evicting { connectionsEvicted.increment(); return }
        connectionsOpen.set(Int64(lock.withLock { openConnections += 1; return openConnections }))
    }

    func connectionClosed() { connectionsOpen.set(Int64(lock.withLock { openConnections -= 1; return openConnections })) }

    func connectionRefused() { connectionsRefused.increment() }

    func connectionTimedOut(phase: String) { timedOut[phase]?.increment() }

    func countStep(sequences: Int, tokens: Int, seconds: Double) {
        steps.increment()
        stepSequences.increment(by: Int64(sequences))
        busySeconds.increment(by: seconds)
    }

    private func trim(_ now: Double) {
        let cut = recent.firstIndex { $0.time >= now - window } ?? recent.count
        if cut > 0 { recent.removeFirst(cut) }
    }

    /// Generated tokens per second over the last 10 seconds.
    var tokensPerSecond: Double {
        let now = Date().timeIntervalSince(started)
        return lock.withLock {
            trim(now)
            return Double(recent.reduce(0) { $0 + $1.tokens }) / window
        }
    }

    /// The exposition text (Prometheus text format 0.0.4).
    public func prometheusText() -> String {
        tokensPerSecondGauge.set(tokensPerSecond)
        return registry.emitToString()
    }
}
