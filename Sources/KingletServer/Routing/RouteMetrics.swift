import Foundation
import Prometheus

/// The router's part of `/metrics`: who answered, why escalations failed, and what the upstream
/// cost (its latency and tokens: the cost every local answer avoided).
public final class RouteMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let upstreamLatency: ValueHistogram
    private let upstreamPromptTokens, upstreamCompletionTokens, keptLocalTokens: Counter

    /// Upper bounds (seconds) of the upstream latency buckets.
    static let latencyBounds: [Double] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        upstreamLatency = registry.makeValueHistogram(
            descriptor: Self.name("upstream_latency_seconds", "Seconds from sending an escalated request upstream to its whole answer (to the first event when streamed)."),
            buckets: Self.latencyBounds)
        let tokens = Self.name("upstream_tokens_total", "Tokens upstream answers reported in their usage, by kind.")
        upstreamPromptTokens = registry.makeCounter(descriptor: tokens, labels: [("kind", "prompt")])
        upstreamCompletionTokens = registry.makeCounter(descriptor: tokens, labels: [("kind", "completion")])
        keptLocalTokens = registry.makeCounter(descriptor: Self.name(
            "route_local_tokens_total", "Tokens of answers the router scored and kept local (auto mode): generation no upstream was paid for."))
    }

    private static func name(_ n: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "kinglet", metricName: n, unitName: "", helpText: help)
    }

    /// One routed request: the mode asked for and who answered (`local`, `upstream`).
    func countRequest(mode: RouteMode, answeredBy: String) {
        registry.makeCounter(descriptor: Self.name("route_requests_total", "Routed requests, by the mode asked for and who answered."),
                             labels: [("mode", mode.rawValue), ("answered_by", answeredBy)]).increment()
    }

    /// An escalation that got no usable answer (the local answer was returned).
    func countEscalationFailure(_ failure: UpstreamFailure) {
        registry.makeCounter(descriptor: Self.name("route_escalation_failures_total", "Escalations that failed and were answered locally, by reason."),
                             labels: [("reason", failure.label)]).increment()
    }

    /// An auto-mode answer kept local, of `tokens` sampled tokens.
    func countKeptLocal(tokens: Int) { keptLocalTokens.increment(by: Int64(tokens)) }

    func observeUpstream(seconds: Double, promptTokens: Int?, completionTokens: Int?) {
        upstreamLatency.record(seconds)
        if let promptTokens, promptTokens > 0 { upstreamPromptTokens.increment(by: Int64(promptTokens)) }
        if let completionTokens, completionTokens > 0 { upstreamCompletionTokens.increment(by: Int64(completionTokens)) }
    }
}
