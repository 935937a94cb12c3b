import Foundation
import KingletRuntime

/// Counters and gauges for `GET /metrics`, written in the Prometheus text format (0.0.4).
public final class ServerMetrics: @unchecked Sendable {
    private let lock = NSLock()
    private var requests: [String: Int] = [:]     // "route\u{0}status" → count
    private var promptTokens = 0
    private var cachedTokens = 0
    /// Time to first token: requests per bucket (by upper bound, `ttftBounds`), their sum and count.
    private var ttftBuckets = Array(repeating: 0, count: ServerMetrics.ttftBounds.count)
    private var ttftSum = 0.0
    private var ttftCount = 0
    private var generatedTokens = 0
    private var finished: [FinishReason: Int] = [:]
    private var rejected = 0
    private var waiting = 0
    private var active = 0
    private var steps = 0
    private var stepSequences = 0
    private var busySeconds = 0.0
    private var recent: [(time: Double, tokens: Int)] = []  // decode tokens per second, sliding window
    private var connectionsOpen = 0
    private var connectionsRefused = 0
    private var connectionsEvicted = 0
    private var timedOut: [String: Int] = [:]  // phase → connections closed
    private let window = 10.0
    private let started = Date()

    /// Everything at zero.
    public init() {}

    func countRequest(route: String, status: Int) {
        lock.withLock { requests["\(route)\u{0}\(status)", default: 0] += 1 }
    }

    func countRejected() { lock.withLock { rejected += 1 } }

    func setQueue(waiting w: Int, active a: Int) { lock.withLock { waiting = w; active = a } }

    func countGenerated(_ n: Int) {
        let now = Date().timeIntervalSince(started)
        lock.withLock {
            generatedTokens += n
            recent.append((now, n))
            trim(now)
        }
    }

    func countFinished(_ reason: FinishReason, promptTokens p: Int = 0, cachedTokens c: Int = 0) {
        lock.withLock { finished[reason, default: 0] += 1; promptTokens += p; cachedTokens += c }
    }

    /// Upper bounds (seconds) of the time-to-first-token histogram's buckets, `+Inf` aside.
    static let ttftBounds: [Double] = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    /// A request's time to first token: from queueing to the step that sampled its first token.
    func observeTimeToFirstToken(_ seconds: Double) {
        lock.withLock {
            if let b = Self.ttftBounds.firstIndex(where: { seconds <= $0 }) { ttftBuckets[b] += 1 }
            ttftSum += seconds
            ttftCount += 1
        }
    }

    func connectionOpened(evicting: Bool = false) {
        lock.withLock { if evicting { connectionsEvicted += 1 } else { connectionsOpen += 1 } }
    }

    func connectionClosed() { lock.withLock { connectionsOpen -= 1 } }

    func connectionRefused() { lock.withLock { connectionsRefused += 1 } }

    func connectionTimedOut(phase: String) { lock.withLock { timedOut[phase, default: 0] += 1 } }

    func countStep(sequences: Int, tokens: Int, seconds: Double) {
        lock.withLock { steps += 1; stepSequences += sequences; busySeconds += seconds }
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

    /// The exposition text.
    public func prometheusText() -> String {
        let rate = tokensPerSecond
        return lock.withLock {
            var out = ""
            // samples: (labels, value)
            func metric(_ name: String, _ type: String, _ help: String, _ samples: [(String, String)]) {
                out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
                for s in samples { out += "\(name)\(s.0) \(s.1)\n" }
            }
            let reqs: [(String, String)] = requests.sorted { $0.key < $1.key }.map { entry in
                let parts = entry.key.split(separator: "\u{0}", omittingEmptySubsequences: false)
                return ("{route=\"\(Self.escape(String(parts[0])))\",status=\"\(parts[1])\"}", "\(entry.value)")
            }
            metric("kinglet_requests_total", "counter", "HTTP requests answered, by route and status.", reqs)
            metric("kinglet_requests_rejected_total", "counter", "Requests refused with 429 because the wait queue was full.", [("", "\(rejected)")])
            metric("kinglet_generations_total", "counter", "Generations ended, by finish reason.",
                   [FinishReason.stop, .length, .cancelled].map { r -> (String, String) in ("{reason=\"\(r.rawValue)\"}", "\(finished[r] ?? 0)") })
            metric("kinglet_prompt_tokens_total", "counter", "Prompt tokens of ended generations, those taken from a slot's prompt cache included.",
                   [("", "\(promptTokens)")])
            metric("kinglet_prompt_tokens_cached_total", "counter", "Prompt tokens taken from a slot's prompt cache instead of evaluated.",
                   [("", "\(cachedTokens)")])
            // Cumulative buckets, as Prometheus histograms are.
            var cumulative = 0
            var buckets: [(String, String)] = []
            for (b, bound) in Self.ttftBounds.enumerated() {
                cumulative += ttftBuckets[b]
                buckets.append(("_bucket{le=\"\(bound)\"}", "\(cumulative)"))
            }
            buckets += [("_bucket{le=\"+Inf\"}", "\(ttftCount)"), ("_sum", String(format: "%.6f", ttftSum)), ("_count", "\(ttftCount)")]
            metric("kinglet_time_to_first_token_seconds", "histogram", "Seconds from a request's queueing to its first sampled token.", buckets)
            metric("kinglet_generated_tokens_total", "counter", "Tokens generated.", [("", "\(generatedTokens)")])
            metric("kinglet_generated_tokens_per_second", "gauge", "Tokens generated per second, all sequences together, over the last 10 s.",
                   [("", String(format: "%.3f", rate))])
            metric("kinglet_queue_depth", "gauge", "Requests waiting for a generation slot.", [("", "\(waiting)")])
            metric("kinglet_active_sequences", "gauge", "Sequences generating now.", [("", "\(active)")])
            metric("kinglet_batch_steps_total", "counter", "Batched forward passes run.", [("", "\(steps)")])
            metric("kinglet_batch_sequences_total", "counter", "Sequences summed over all batched forward passes (divide by steps for the mean batch size).",
                   [("", "\(stepSequences)")])
            metric("kinglet_connections_open", "gauge", "HTTP connections open.", [("", "\(connectionsOpen)")])
            metric("kinglet_connections_refused_total", "counter", "Connections answered 503 and closed: at --max-connections with none idle.",
                   [("", "\(connectionsRefused)")])
            metric("kinglet_connections_evicted_total", "counter", "Idle connections closed to make room for a new one at --max-connections.",
                   [("", "\(connectionsEvicted)")])
            metric("kinglet_connections_timed_out_total", "counter", "Connections closed because a phase ran past its timeout, by phase.",
                   ["idle", "header", "body"].map { p -> (String, String) in ("{phase=\"\(p)\"}", "\(timedOut[p] ?? 0)") })
            metric("kinglet_forward_seconds_total", "counter", "Seconds spent in forward passes.", [("", String(format: "%.6f", busySeconds))])
            return out
        }
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}
