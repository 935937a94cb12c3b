import Foundation

/// Threads of the server's own for its HTTP handling (accepting, routing, streaming), so that it
/// answers even while the host process's work holds every thread of Swift's cooperative pool (it
/// has one per core: two blocking calls starve it on a two-core machine). Generation never runs
/// here: the batch scheduler has its own thread.
///
/// ```swift
/// try await ServerThreads.shared.run { try await app.runService() }
/// ```
public final class ServerThreads: TaskExecutor, @unchecked Sendable {
    /// The threads every server in the process shares.
    public static let shared = ServerThreads(count: 2)

    private let condition = NSCondition()
    private var pending: [UnownedJob] = []
    private var head = 0

    /// Starts `count` threads that run the jobs of tasks preferring this executor, in order.
    public init(count: Int) {
        for i in 0 ..< max(1, count) {
            let thread = Thread { [self] in work() }
            thread.name = "kinglet-http-\(i)"
            thread.start()
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        pending.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Runs `body` with this executor as its task executor preference: its child tasks (the
    /// server's connections and requests) and the default actors they call run on these threads.
    public func run<T>(_ body: () async throws -> T) async rethrows -> T {
        try await withTaskExecutorPreference(self, operation: body)
    }

    /// One job at a time per thread, so a slow one does not hold back those queued behind it.
    private func work() {
        while true {
            condition.lock()
            while head == pending.count { condition.wait() }
            let job = pending[head]
            head += 1
            if head == pending.count {
                pending.removeAll(keepingCapacity: true)
                head = 0
            }
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
