// A persistent pool of worker threads for the kernels.
//
// Workers are pthreads created once. Between jobs each spins briefly on a generation counter
// (a matvec is ~10-100 µs, so waking through the kernel on every call would cost more than the
// work) and then parks on a condition variable. `parallelFor` publishes a job, bumps the
// generation, works on chunk 0 itself and spins until every worker has reported done.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CKingletKernels

/// A persistent pool of worker threads (pthreads, created once; spin-then-park between jobs).
/// One `parallelFor` runs at a time; concurrent callers are serialized. Not reentrant: do not
/// call `parallelFor` from inside a `body`.
public final class ThreadPool: @unchecked Sendable {
    /// Total participants, including the thread that calls `parallelFor`.
    public let threadCount: Int
    private let shared: PoolShared
    private var workerThreads: [pthread_t] = []
    private let callerLock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    /// Creates a pool of `threads` participants (the caller plus `threads - 1` workers).
    public init(threads: Int) {
        precondition(threads >= 1, "a pool needs at least one thread")
        threadCount = threads
        shared = PoolShared(workers: threads - 1)
        pthread_mutex_init(callerLock, nil)
        for index in 1..<max(threads, 1) {
            let context = Unmanaged.passRetained(WorkerContext(shared: shared, index: index)).toOpaque()
            var thread = pthread_t()
            let rc = pthread_create(&thread, nil, { raw in
                let context = Unmanaged<WorkerContext>.fromOpaque(raw!).takeRetainedValue()
                context.shared.workerLoop(index: context.index)
                return nil
            }, context)
            precondition(rc == 0, "pthread_create failed (\(rc))")
            workerThreads.append(thread)
        }
    }

    deinit {
        shared.shutdown()
        for thread in workerThreads { pthread_join(thread, nil) }
        pthread_mutex_destroy(callerLock)
        callerLock.deallocate()
    }

    /// Splits `0..<count` into `threadCount` contiguous chunks (some may be empty), runs `body` on
    /// each — chunk 0 on the calling thread — and returns when all are done.
    public func parallelFor(_ count: Int, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let participants = threadCount
        if participants == 1 || count == 1 {
            body(0..<count)
            return
        }
        pthread_mutex_lock(callerLock)
        defer { pthread_mutex_unlock(callerLock) }
        withoutActuallyEscaping(body) { body in
            let chunk: (Int) -> Void = { index in
                let range = (count * index / participants)..<(count * (index + 1) / participants)
                if !range.isEmpty { body(range) }
            }
            shared.run(chunk)
        }
    }

    /// Physical cores (not SMT siblings) of this machine, read from
    /// /sys/devices/system/cpu/cpu*/topology, then /proc/cpuinfo; falls back to the active
    /// processor count. The right default thread count for memory-bound kernels.
    public static func physicalCoreCount() -> Int {
        CPUTopology.physicalCoreCount()
    }
}

/// Keeps a worker's shared state alive for the thread's lifetime.
private final class WorkerContext {
    let shared: PoolShared
    let index: Int
    init(shared: PoolShared, index: Int) { self.shared = shared; self.index = index }
}

/// State shared between the caller and the workers. Plain memory plus C atomics: the job closure
/// is written before the release-store of `generation` and read after an acquire-load of it.
private final class PoolShared: @unchecked Sendable {
    let workers: Int
    /// Bumped once per job (and once on shutdown).
    let generation = UnsafeMutablePointer<Int64>.allocate(capacity: 1)
    /// Workers that have not finished the current job.
    let pending = UnsafeMutablePointer<Int64>.allocate(capacity: 1)
    let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Parked workers; guarded by `mutex`.
    var sleepers = 0
    /// 1 once the pool is being torn down.
    let stopping = UnsafeMutablePointer<Int64>.allocate(capacity: 1)
    var job: ((Int) -> Void)?

    /// How long a worker spins before parking, in nanoseconds.
    static let spinNanoseconds: Int64 = 200_000

    init(workers: Int) {
        self.workers = workers
        generation.initialize(to: 0)
        pending.initialize(to: 0)
        stopping.initialize(to: 0)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
    }

    deinit {
        pthread_cond_destroy(wake)
        pthread_mutex_destroy(mutex)
        for p in [generation, pending, stopping] { p.deallocate() }
        mutex.deallocate()
        wake.deallocate()
    }

    func run(_ chunk: (Int) -> Void) {
        withoutActuallyEscaping(chunk) { chunk in
            job = chunk
            kk_atomic_store_release(pending, Int64(workers))
            publish()
            chunk(0)
            var spins = 0
            while kk_atomic_load_acquire(pending) != 0 {
                kk_cpu_relax()
                spins += 1
                if spins & 0xFFF == 0 { sched_yield() }  // a worker may have been descheduled
            }
            job = nil
        }
    }

    func shutdown() {
        kk_atomic_store_release(stopping, 1)
        publish()
    }

    private func publish() {
        pthread_mutex_lock(mutex)
        _ = kk_atomic_add_acq_rel(generation, 1)
        if sleepers > 0 { pthread_cond_broadcast(wake) }
        pthread_mutex_unlock(mutex)
    }

    func workerLoop(index: Int) {
        var seen: Int64 = 0
        while true {
            var current = kk_atomic_load_acquire(generation)
            if current == seen {
                let deadline = monotonicNanoseconds() + Self.spinNanoseconds
                var spins = 0
                while current == seen {
                    kk_cpu_relax()
                    current = kk_atomic_load_acquire(generation)
                    spins += 1
                    if spins & 0xFF == 0, monotonicNanoseconds() > deadline { break }
                }
            }
            if current == seen {
                pthread_mutex_lock(mutex)
                sleepers += 1
                while kk_atomic_load_acquire(generation) == seen { pthread_cond_wait(wake, mutex) }
                sleepers -= 1
                pthread_mutex_unlock(mutex)
                current = kk_atomic_load_acquire(generation)
            }
            seen = current
            if kk_atomic_load_acquire(stopping) != 0 { return }
            job?(index)
            _ = kk_atomic_add_acq_rel(pending, -1)
        }
    }
}

@inline(__always)
private func monotonicNanoseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}
