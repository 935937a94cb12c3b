import Foundation

/// Where one training run's wall time went, phase by phase, as `eval.json`'s `seconds` and one
/// log line: the budget planner's per-run overhead is what is not `steps`.
public struct RunTiming: Sendable {
    /// Phases in the order a run passes them, each with its seconds.
    public private(set) var phases: [(name: String, seconds: Double)] = []
    private var mark = Date()

    public init() {}

    /// Closes the phase running since the last mark (or the start) under `name`.
    public mutating func lap(_ name: String) {
        let now = Date()
        phases.append((name, now.timeIntervalSince(mark)))
        mark = now
    }

    /// Splits the last phase: `seconds` of it go to `name`, inserted before it (the optimizer
    /// steps inside the trainer's wall time, the rest being its evaluations and checkpoints).
    public mutating func split(last seconds: Double, as name: String) {
        guard let last = phases.popLast() else { return }
        let part = min(max(seconds, 0), last.seconds)
        phases.append((name, part))
        phases.append((last.name, last.seconds - part))
    }

    public var total: Double { phases.reduce(0) { $0 + $1.seconds } }

    /// `{phase: seconds, …, "total": seconds}`.
    public var jsonObject: [String: Double] {
        var o = Dictionary(phases.map { ($0.name, $0.seconds) }) { a, b in a + b }
        o["total"] = total
        return o
    }

    /// "time 257 s: steps 189, …".
    public var line: String {
        String(format: "  time %.0f s: ", total) + phases.map { String(format: "%@ %.1f", $0.name, $0.seconds) }.joined(separator: ", ")
    }
}
