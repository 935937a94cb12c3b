// A persistent pool of worker threads for the kernels.
//
// Workers are pthreads created once. Between jobs each spins briefly on a generation counter
// (a matvec takes 5-100 µs, so waking through the kernel on every call would cost more than the
// work) and then parks on a condition variable.
//
// A job is `chunks` contiguous pieces of 0..<count. Participants claim pieces from one atomic
// word, so a worker that the OS has descheduled (this machine is shared) delays nothing: the
// others take its pieces. The word packs (generation, next piece, piece count), so a worker
// waking late for a finished job can never claim a piece of the next one with a stale closure.
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

    /// Pieces per participant: enough that a late or slow thread's share is picked up by the
    /// others, few enough that claiming (one atomic CAS) stays negligible.
    static let piecesPerThread = 4

    /// Creates a pool of `threads` participants (the caller plus `threads - 1` workers).
    public init(threads: Int) {
        precondition(threads >= 1, "a pool needs at least one thread")
        threadCount = threads
        shared = PoolShared()
        pthread_mutex_init(callerLock, nil)
        for _ in 1..<max(threads, 1) {
            let context = Unmanaged.passRetained(shared).toOpaque()
            var thread = pthread_t()
            let rc = pthread_create(&thread, nil, { raw in
                Unmanaged<PoolShared>.fromOpaque(raw!).takeRetainedValue().workerLoop()
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

    /// Splits `0..<count` into contiguous chunks, runs `body` once per chunk on the pool's
    /// threads (the caller included) and returns when all are done. Every index is in exactly
    /// one chunk; chunks may run in any order and on any participant.
    public func parallelFor(_ count: Int, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let pieces = min(count, threadCount * Self.piecesPerThread, Int(PoolShared.maxPieces))
        if threadCount == 1 || pieces == 1 {
            body(0..<count)
            return
        }
        pthread_mutex_lock(callerLock)
        defer { pthread_mutex_unlock(callerLock) }
        withoutActuallyEscaping(body) { body in
            shared.run(pieces: pieces) { piece in
                let chunk = Self.pieceStart(piece, of: pieces, count: count)..<Self.pieceStart(piece + 1, of: pieces, count: count)
                if !chunk.isEmpty { body(chunk) }
            }
        }
    }

    /// Where piece `i` of `pieces` starts in 0..<count. Pieces shrink as the job goes on (guided
    /// scheduling): the first is about twice the average, the last about 1/pieces of it, so the
    /// thread that finishes first waits at most for a small piece while the claims stay few.
    /// Boundaries: count · (1 − ((pieces − i) / pieces)²), rounded down; 0 at i = 0, count at
    /// i = pieces, non-decreasing between.
    static func pieceStart(_ i: Int, of pieces: Int, count: Int) -> Int {
        let left = pieces - i
        return count - count * left * left / (pieces * pieces)
    }

    /// Physical cores (not SMT siblings) of this machine, read from
    /// /sys/devices/system/cpu/cpu*/topology, then /proc/cpuinfo; falls back to the active
    /// processor count. The right default thread count for memory-bound kernels.
    public static func physicalCoreCount() -> Int {
        CPUTopology.physicalCoreCount()
    }
}

/// State shared between the caller and the workers: plain memory plus C atomics. The job closure
/// is written before the release-store of `claim`; a participant reads it only after a
/// successful CAS on `claim`, and the caller clears it only after every claimed piece is done.
private final class PoolShared: @unchecked Sendable {
    static let maxPieces: Int64 = 0xFFFF

    /// Bumped once per job (and on shutdown); workers wait for it to change.
    let generation = UnsafeMutablePointer<Int64>.allocate(capacity: 1)
    /// (generation & 0xFFFF_FFFF) << 32 | next piece << 16 | piece count.
    let claim = UnsafeMutablePointer<Int64>.allocate(capacity: 1)
    /// Pieces of the current job finished.
    let done = UnsafeMutablePointer<Int64>.allocate(capacity: 1)
    /// 1 once the pool is being torn down.
    let stopping = UnsafeMutablePointer<Int64>.allocate(capacity: 1)
    let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Parked workers; guarded by `mutex`.
    var sleepers = 0
    var job: ((Int) -> Void)?

    /// How long a worker spins before parking, in nanoseconds.
    static let spinNanoseconds: Int64 = 200_000

    init() {
        for p in [generation, claim, done, stopping] { p.initialize(to: 0) }
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
    }

    deinit {
        pthread_cond_destroy(wake)
        pthread_mutex_destroy(mutex)
        for p in [generation, claim, done, stopping] { p.deallocate() }
        mutex.deallocate()
        wake.deallocate()
    }

    func run(pieces: Int, _ piece: (Int) -> Void) {
        withoutActuallyEscaping(piece) { piece in
            job = piece
            kk_atomic_store_release(done, 0)
            let next = kk_atomic_load_acquire(generation) + 1
            kk_atomic_store_release(claim, (next & 0xFFFF_FFFF) << 32 | Int64(pieces))
            pthread_mutex_lock(mutex)
            kk_atomic_store_release(generation, next)
            if sleepers > 0 { pthread_cond_broadcast(wake) }
            pthread_mutex_unlock(mutex)

            work(generation: next)
            var spins = 0
            while kk_atomic_load_acquire(done) < Int64(pieces) {
                kk_cpu_relax()
                spins += 1
                if spins & 0x3FF == 0 { sched_yield() }  // a worker holding a piece was descheduled
            }
            job = nil
        }
    }

    /// Claims and runs pieces of job `generation` until none are left (or the job is over).
    func work(generation: Int64) {
        let tag = generation & 0xFFFF_FFFF
        while true {
            var word = kk_atomic_load_acquire(claim)
            var piece: Int64
            repeat {
                guard word >> 32 == tag else { return }          // a later job: not ours
                piece = (word >> 16) & 0xFFFF
                guard piece < word & 0xFFFF else { return }      // all pieces taken
            } while !kk_atomic_cas(claim, &word, word + (1 << 16))
            job!(Int(piece))
            _ = kk_atomic_add_acq_rel(done, 1)
        }
    }

    func shutdown() {
        kk_atomic_store_release(stopping, 1)
        pthread_mutex_lock(mutex)
        _ = kk_atomic_add_acq_rel(generation, 1)
        pthread_cond_broadcast(wake)
        pthread_mutex_unlock(mutex)
    }

    func workerLoop() {
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
            work(generation: current)
        }
    }
}

@inline(__always)
private func monotonicNanoseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}
