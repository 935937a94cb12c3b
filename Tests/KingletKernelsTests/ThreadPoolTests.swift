import Dispatch
import Testing
@testable import KingletKernels

@Suite("ThreadPool")
struct ThreadPoolTests {
    @Test(arguments: [1, 2, 3, 5])
    func coversEachIndexExactlyOnce(threads: Int) {
        let pool = ThreadPool(threads: threads)
        #expect(pool.threadCount == threads)
        for count in [0, 1, 2, 3, 7, 64, 1000] {
            let hits = UnsafeMutablePointer<Int>.allocate(capacity: max(count, 1))  // [count]
            defer { hits.deallocate() }
            hits.initialize(repeating: 0, count: max(count, 1))
            pool.parallelFor(count) { range in
                for i in range { hits[i] += 1 }   // chunks are disjoint: no data race
            }
            #expect((0..<count).allSatisfy { hits[$0] == 1 }, "count \(count)")
        }
    }

    @Test(arguments: [2, 3])
    func chunksAreContiguousAndDisjoint(threads: Int) {
        let pool = ThreadPool(threads: threads)
        for count in [2, 10, 100, 1001] {
            // owner[i] = lower bound of the chunk that ran index i
            let owner = UnsafeMutablePointer<Int>.allocate(capacity: count)
            defer { owner.deallocate() }
            owner.initialize(repeating: -1, count: count)
            pool.parallelFor(count) { range in for i in range { owner[i] = range.lowerBound } }
            var i = 0, chunks = 0
            while i < count {
                #expect(owner[i] == i, "a chunk starts at \(i)")
                var j = i
                while j < count, owner[j] == i { j += 1 }
                i = j
                chunks += 1
            }
            #expect(chunks <= threads * ThreadPool.piecesPerThread)
        }
    }

    /// Guided split: boundaries from 0 to count, never decreasing; the pieces shrink, so the last
    /// one a thread can be left waiting for is a small part of the job.
    @Test func piecesShrinkTowardsTheEnd() {
        for pieces in [2, 4, 8, 12] {
            for count in Array(pieces ... pieces + 40) + [100, 1001, 4096] {
                let starts = (0 ... pieces).map { ThreadPool.pieceStart($0, of: pieces, count: count) }
                #expect(starts.first == 0 && starts.last == count, "\(pieces) pieces of \(count)")
                let sizes = zip(starts.dropFirst(), starts).map { $0 - $1 }
                #expect(sizes.allSatisfy { $0 >= 0 }, "\(pieces) pieces of \(count): \(sizes)")
                if count >= 4 * pieces * pieces {  // coarse enough that rounding cannot reorder them
                    #expect(zip(sizes, sizes.dropFirst()).allSatisfy { $0 >= $1 }, "\(pieces) pieces of \(count): \(sizes)")
                    #expect(sizes.last! * pieces <= 2 * count / pieces, "last piece \(sizes.last!) of \(sizes)")
                }
            }
        }
    }

    @Test(arguments: [2, 3])
    func reusableThousandsOfTimes(threads: Int) {
        let pool = ThreadPool(threads: threads)
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: 37)  // [37]
        defer { counts.deallocate() }
        counts.initialize(repeating: 0, count: 37)
        for _ in 0..<5000 {
            pool.parallelFor(37) { range in for i in range { counts[i] += 1 } }
        }
        #expect((0..<37).allSatisfy { counts[$0] == 5000 })
    }

    @Test func concurrentCallersAreSerialized() {
        let pool = ThreadPool(threads: 2)
        nonisolated(unsafe) let sums = UnsafeMutablePointer<Int>.allocate(capacity: 4)   // [4 callers]
        defer { sums.deallocate() }
        sums.initialize(repeating: 0, count: 4)
        DispatchQueue.concurrentPerform(iterations: 4) { caller in   // each caller owns sums[caller]
            for _ in 0..<200 {
                let hits = UnsafeMutablePointer<Int>.allocate(capacity: 100)
                hits.initialize(repeating: 0, count: 100)
                pool.parallelFor(100) { range in for i in range { hits[i] += 1 } }
                sums[caller] += (0..<100).reduce(0) { $0 + hits[$1] }
                hits.deallocate()
            }
        }
        #expect((0..<4).allSatisfy { sums[$0] == 200 * 100 })
    }

    @Test func poolsCanBeCreatedAndDestroyed() {
        for _ in 0..<50 {
            let pool = ThreadPool(threads: 3)
            var total = 0
            pool.parallelFor(1) { range in total += range.count }
            #expect(total == 1)
        }
    }

    @Test func physicalCoreCountIsSane() {
        let n = ThreadPool.physicalCoreCount()
        #expect(n >= 1 && n <= 4096)
        #expect(CPUTopology.parseCPUList("0-3,5,7-8\n") == [0, 1, 2, 3, 5, 7, 8])
    }

    /// A caller's count is checked before any thread is made; nil takes the physical cores.
    @Test func sizedRefusesCountsOutOfRange() throws {
        for bad in [0, -1, 513, 1_000_000] {
            #expect(throws: ThreadCountError(requested: bad)) { _ = try ThreadPool.sized(bad) }
        }
        #expect(try ThreadPool.sized(nil).threadCount == ThreadPool.physicalCoreCount())
        #expect(try ThreadPool.sized(2).threadCount == 2)
        let message = ThreadCountError(requested: 0).localizedDescription
        #expect(message.contains("0 worker threads is out of range (1…512)") && message.contains("cores"), "\(message)")
    }
}
