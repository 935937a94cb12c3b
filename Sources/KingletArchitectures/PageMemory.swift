#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Zeroed memory mapped straight from the kernel, for the large buffers of a model and its
/// sequences (KV caches, forward buffers): a page becomes resident when it is first written and
/// goes back to the system when the buffer is freed.
///
/// From the C heap the same buffer could be a recycled chunk: glibc raises its mmap threshold
/// after freeing a large block, so the next cache of that size comes from the arena, resident in
/// full before a token is written, and stays in the arena when freed. A 4,096-token cache that
/// holds 300 tokens costs 300 tokens' pages this way.
final class PageMemory {
    let pointer: UnsafeMutableRawPointer
    private let byteCount: Int
    private let mapped: Bool

    init(byteCount: Int) {
        self.byteCount = max(byteCount, 1)
        if let p = mmap(nil, self.byteCount, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), p != MAP_FAILED {
            pointer = p
            mapped = true
        } else {  // no mapping to be had: the heap (which traps when it has none either)
            pointer = .allocate(byteCount: self.byteCount, alignment: 64)
            pointer.initializeMemory(as: UInt8.self, repeating: 0, count: self.byteCount)
            mapped = false
        }
    }

    deinit {
        if mapped { munmap(pointer, byteCount) } else { pointer.deallocate() }
    }

    func typed<T>(_: T.Type) -> UnsafeMutablePointer<T> { pointer.assumingMemoryBound(to: T.self) }
}
