import Foundation
import KingletDistill

/// The progress line on stderr: done/total, tokens/s, ETA. Redrawn in place at most 4 times a
/// second on a terminal; a plain line every 10 s otherwise.
final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private var last = Date.distantPast
    private var drawn = false
    private let isTerminal = isatty(2) == 1

    func update(_ p: DistillProgress) {
        lock.withLock {
            let now = Date()
            let final = p.done == p.pending
            guard final || now.timeIntervalSince(last) >= (isTerminal ? 0.25 : 10) else { return }
            last = now
            let total = p.pending + p.cached
            let done = p.done + p.cached
            let pct = total > 0 ? Double(done) * 100 / Double(total) : 100
            let eta = p.eta.map { Self.duration($0) } ?? "?"
            let line = String(format: "[%d/%d] %.1f%% | %.1f tokens/s | ETA %@", done, total, pct, p.tokensPerSecond, eta)
            if isTerminal {
                FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
                drawn = true
            } else {
                Terminal.status(line)
            }
        }
    }

    func finish() {
        lock.withLock { if drawn { FileHandle.standardError.write(Data("\n".utf8)) } }
    }

    static func duration(_ s: Double) -> String {
        let t = Int(s.rounded())
        if t >= 3600 { return "\(t / 3600)h\(String(format: "%02d", t % 3600 / 60))m" }
        if t >= 60 { return "\(t / 60)m\(String(format: "%02d", t % 60))s" }
        return String(format: "%.1fs", s)
    }
}
