import Crypto
import Foundation
import KingletGGUF
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file through a buffer, hashing every byte, then appends the SHA-256 and puts the file
/// in place (`DurableFile.move`), so readers see the old file or the whole new one.
final class HashingWriter {
    private let path: String
    private let final: String
    private var fd: Int32
    private var hash = SHA256()
    private var buffer: [UInt8] = []
    private let bufferLimit = 1 << 20

    init(path: String, final: String) throws(PromptCacheFileError) {
        self.path = path
        self.final = final
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw .file(FileError(final, .promptCache, .cannotWrite(String(cString: strerror(errno))))) }
        buffer.reserveCapacity(bufferLimit)
    }

    func append(_ bytes: some Collection<UInt8>) throws(PromptCacheFileError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= bufferLimit { try flush() }
    }

    func append<T: FixedWidthInteger>(le value: T) throws(PromptCacheFileError) {
        try withUnsafeBytes(of: value.littleEndian) { (b) throws(PromptCacheFileError) in try append(b) }
    }

    /// Appends the digest, syncs, and renames the file to `final`.
    func finish(renamingTo final: String) throws(PromptCacheFileError) {
        try flush()
        let digest = Array(hash.finalize())
        buffer = digest
        try flush(hashing: false)
        let closed = closeFile(fd) == 0
        fd = -1  // closed either way: never close it twice (another thread may own the number by then)
        guard closed else {
            let reason = String(cString: strerror(errno))
            unlink(path)
            throw .file(FileError(final, .promptCache, .cannotWrite(reason)))
        }
        do { try DurableFile.move(path, to: final) } catch {
            unlink(path)
            throw .file(FileError(final, .promptCache, .cannotWrite(error.reason)))
        }
    }

    /// Closes and removes the temporary file if `finish` did not run.
    func discard() {
        guard fd >= 0 else { return }
        _ = closeFile(fd)
        fd = -1
        unlink(path)
    }

    private func flush(hashing: Bool = true) throws(PromptCacheFileError) {
        if hashing { buffer.withUnsafeBytes { hash.update(bufferPointer: $0) } }
        var done = 0
        while done < buffer.count {
            let n = buffer.withUnsafeBytes { writeFile(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw failure() }
            done += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    private func failure() -> PromptCacheFileError {
        let reason = String(cString: strerror(errno))
        discard()
        return .file(FileError(final, .promptCache, .cannotWrite(reason)))
    }
}

private func closeFile(_ fd: Int32) -> Int32 { close(fd) }
private func writeFile(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { write(fd, p, n) }
