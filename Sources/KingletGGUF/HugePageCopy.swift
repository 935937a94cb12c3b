#if canImport(Glibc)
import Glibc

/// A read-only anonymous copy of part of a `MappedFile` on 2 MiB pages (Linux transparent huge
/// pages): `MappedFile.Placement.hugePages`. Unmapped when the last reference goes away.
///
/// The copy starts on a 2 MiB boundary and is exactly as long as the source rounded up to 4 KiB:
/// its whole 2 MiB extents become huge pages and the tail stays on small pages, so nothing is
/// resident beyond the bytes themselves. The source's pages are released as each chunk is copied,
/// so loading never holds the data twice.
final class HugePageCopy: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    private let base: UnsafeMutableRawPointer
    private let reserved: Int

    static let hugePage = 2 << 20
    /// Bytes copied before the source's pages are released: bounds the load's transient memory.
    static let chunk = 8 << 20

    /// A copy of `file.bytes[range]`, or nil when the memory cannot be had (the caller keeps the
    /// file mapping).
    init?(of file: MappedFile, range: Range<Int>) {
        let count = range.count
        guard count > 0, range.lowerBound >= 0, range.upperBound <= file.bytes.count,
              let source = file.bytes.baseAddress else { return nil }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let reserved = (count + page - 1) / page * page
        let huge = Self.hugePage
        // Over-allocate by one huge page and trim, so the copy starts on a 2 MiB boundary.
        guard let raw = mmap(nil, reserved + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              raw != MAP_FAILED else { return nil }
        let misalign = Int(bitPattern: raw) % huge
        let lead = misalign == 0 ? 0 : huge - misalign
        let base = raw + lead
        if lead > 0 { munmap(raw, lead) }
        munmap(base + reserved, huge - lead)
        _ = madvise(base, reserved, MADV_HUGEPAGE)
        var done = 0
        while done < count {
            let n = min(Self.chunk, count - done)
            (base + done).copyMemory(from: source + range.lowerBound + done, byteCount: n)
            file.releasePages(range.lowerBound + done ..< range.lowerBound + done + n)
            done += n
        }
        _ = mprotect(base, reserved, PROT_READ)
        self.base = base
        self.reserved = reserved
        bytes = UnsafeRawBufferPointer(start: base, count: count)
    }

    deinit { munmap(base, reserved) }
}
#endif
