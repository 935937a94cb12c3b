import Foundation
import KingletKernels

extension ThreadPool {
    /// `(0 ..< count).map(body)` on the pool's threads, items claimed one at a time (so uneven
    /// items balance), results in index order. If bodies throw, the error of the lowest index is
    /// rethrown, so the outcome does not depend on thread timing.
    func orderedMap<T: Sendable, E: Error>(_ count: Int, _ body: (Int) throws(E) -> T) throws(E) -> [T] {
        guard count > 0 else { return [] }
        let results = UnsafeMutablePointer<Result<T, E>?>.allocate(capacity: count)
        results.initialize(repeating: nil, count: count)
        defer {
            results.deinitialize(count: count)
            results.deallocate()
        }
        let lock = NSLock()
        var next = 0
        parallelFor(min(count, threadCount)) { _ in
            while true {
                lock.lock()
                let i = next
                next += 1
                lock.unlock()
                guard i < count else { return }
                do throws(E) { results[i] = .success(try body(i)) } catch { results[i] = .failure(error) }
            }
        }
        var out: [T] = []
        out.reserveCapacity(count)
        for i in 0 ..< count {
            switch results[i]! {  // every index ran: the loop above only stops when all are claimed
            case .success(let v): out.append(v)
            case .failure(let e): throw e
            }
        }
        return out
    }
}
