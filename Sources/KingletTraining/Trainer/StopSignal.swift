#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

private let stopRequested = Atomic<Bool>(false)

/// Ctrl-C / SIGTERM during training: the first asks the loop to stop after the current step and
/// write a checkpoint; a second one exits at once (the last checkpoint stays intact on disk).
public enum StopSignal {
    public static func install() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig) { s in
                if stopRequested.exchange(true, ordering: .relaxed) { _exit(128 + s) }
            }
        }
    }

    public static var isRequested: Bool { stopRequested.load(ordering: .relaxed) }

    /// For tests and for programs that train several runs in one process.
    public static func reset() { stopRequested.store(false, ordering: .relaxed) }

    /// Asks the loop to stop (as a signal would).
    public static func request() { stopRequested.store(true, ordering: .relaxed) }
}
