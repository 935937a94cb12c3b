import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory mapping of a whole file. Unmapped when the last reference goes away.
///
/// Tensors are views into this mapping. With `.hugePages` the file is read once into anonymous
/// memory on 2 MiB pages instead of being mapped (see `Placement`).
public final class MappedFile: @unchecked Sendable {
    /// Where the bytes live.
    public enum Placement: Sendable, Equatable {
        /// A private file mapping (4 KiB page-cache pages, shared with other readers).
        case fileMapping
        /// An anonymous copy with `MADV_HUGEPAGE` (Linux). Streaming the weights once per token
        /// then touches 512× fewer pages: the hardware prefetchers stop at every 4 KiB page and the
        /// TLB misses go away. Measured on Zen 4: a 178 MB read 2× faster, Gemma 3 270M's Q8_0
        /// output head 15–20% faster. Peak RSS is the file size, as for a fully touched mapping;
        /// the copy costs one read of the file at load.
        case hugePages

        /// For model weights read every token: `.hugePages` where Linux transparent huge pages
        /// are enabled (`always` or `madvise`), unless `KINGLET_HUGEPAGES=0`; else `.fileMapping`.
        public static var forWeights: Placement {
            #if os(Linux)
            if let env = getenv("KINGLET_HUGEPAGES"), String(cString: env) == "0" { return .fileMapping }
            guard let mode = try? String(contentsOfFile: "/sys/kernel/mm/transparent_hugepage/enabled", encoding: .utf8),
                  mode.contains("[always]") || mode.contains("[madvise]") else { return .fileMapping }
            return .hugePages
            #else
            return .fileMapping
            #endif
        }
    }

    public let path: String
    /// The mapped bytes; valid for the lifetime of this object.
    public let bytes: UnsafeRawBufferPointer
    /// Where `bytes` live (`.fileMapping` when huge pages were asked for but not available).
    public let placement: Placement
    /// Bytes reserved by the mapping (≥ bytes.count).
    private let mappedCount: Int

    public init(path: String, placement: Placement = .fileMapping) throws(GGUFError) {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw .cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw .cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw .cannotOpen(path: path, reason: "not a regular file")
        }
        let size = Int(st.st_size)
        guard size > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            self.placement = .fileMapping
            mappedCount = 0
            return
        }
        #if os(Linux)
        if placement == .hugePages, let copy = Self.readIntoHugePages(fd: fd, size: size) {
            bytes = UnsafeRawBufferPointer(start: copy.base, count: size)
            self.placement = .hugePages
            mappedCount = copy.count
            return
        }
        #endif
        self.placement = .fileMapping
        mappedCount = size
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw .cannotOpen(path: path, reason: "mmap failed: \(String(cString: strerror(errno)))")
        }
        bytes = UnsafeRawBufferPointer(start: p, count: size)
    }

    deinit {
        if let base = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), mappedCount)
        }
    }

    #if os(Linux)
    /// Anonymous memory of `size` bytes rounded up to 2 MiB, advised as huge pages, filled from
    /// `fd` with pread and made read-only. Nil when any step fails (the caller maps the file).
    private static func readIntoHugePages(fd: Int32, size: Int) -> (base: UnsafeMutableRawPointer, count: Int)? {
        let huge = 2 << 20
        let count = (size + huge - 1) / huge * huge
        // Over-allocate by one huge page and trim, so the copy starts on a 2 MiB boundary.
        guard let raw = mmap(nil, count + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              raw != MAP_FAILED else { return nil }
        let misalign = Int(bitPattern: raw) % huge
        let lead = misalign == 0 ? 0 : huge - misalign
        let base = raw + lead
        if lead > 0 { munmap(raw, lead) }
        munmap(base + count, huge - lead)
        _ = madvise(base, count, MADV_HUGEPAGE)
        var done = 0
        while done < size {
            let n = pread(fd, base + done, min(size - done, 1 << 30), off_t(done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                munmap(base, count)
                return nil
            }
            done += n
        }
        _ = mprotect(base, count, PROT_READ)
        return (base, count)
    }
    #endif
}
