import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive advisory lock on a file (`flock`), held until `unlock()` or deinit: serialises
/// processes that would otherwise write the same files (two pulls of one model, two scorers of one
/// shard directory). The lock file itself is never removed (removing it would let a third process
/// lock a new inode while the second still holds the old one).
public final class FileLock {
    private var fd: Int32

    /// Blocks until the lock is held (`wait`), or throws `.busy` at once if another process holds it.
    public init(path: String, wait: Bool = true) throws {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw StoreError.io("cannot open the lock file \(path): \(String(cString: strerror(errno))). Check that its folder is writable.")
        }
        while flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
            if errno == EINTR { continue }
            let busy = errno == EWOULDBLOCK
            let reason = String(cString: strerror(errno))
            close(fd)
            fd = -1
            if busy { throw StoreError.busy(path) }
            throw StoreError.io("cannot lock \(path): \(reason)")
        }
    }

    public func unlock() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { unlock() }
}
