import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Putting a finished file in place so that a crash or a power cut leaves either the file that was
/// there or the whole new one, never a part: the data flushed to the disk, the file renamed over
/// the destination, then the folder's entry flushed. The one way Kinglet's own writers finish a
/// file: GGUF files (checkpoints, exported students), token and score shards, prompt caches and
/// pulled models.
///
/// (Small JSON files go through Foundation's `Data.write(to:options: .atomic)`, which flushes the
/// file and renames it, but does not flush the folder.)
public enum DurableFile {
    /// Flushes `temporary`'s data, renames it to `destination` (replacing a file there) and
    /// flushes the folder that holds it.
    public static func move(_ temporary: String, to destination: String) throws(DurableFileError) {
        try flush(temporary, reporting: destination)
        try place(temporary, at: destination)
    }

    /// Writes `bytes` (an array, `Data`, …) to a temporary file beside `path`, flushes it and puts
    /// it in place as `move` does. On failure the temporary file is removed and a file at `path` is
    /// left as it was.
    public static func write(_ bytes: some Collection<UInt8>, to path: String) throws(DurableFileError) {
        let temporary = folder(of: path) + "/.\((path as NSString).lastPathComponent).\(getpid()).\(UInt32.random(in: 0 ... .max)).partial"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw DurableFileError(path: path, reason: "cannot create \(temporary): \(errorText())") }
        var problem = bytes.withContiguousStorageIfAvailable { writeAll(fd, UnsafeRawBufferPointer($0)) }
            ?? Array(bytes).withUnsafeBytes { writeAll(fd, $0) }
        if problem == nil, fsync(fd) != 0 { problem = "flushing \(temporary) to the disk failed: \(errorText())" }
        if close(fd) != 0, problem == nil { problem = "cannot close \(temporary): \(errorText())" }
        do throws(DurableFileError) {
            if let problem { throw DurableFileError(path: path, reason: problem) }
            try place(temporary, at: path)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Renames a flushed file over `destination`, then flushes the folder's entry.
    private static func place(_ temporary: String, at destination: String) throws(DurableFileError) {
        guard rename(temporary, destination) == 0 else {
            throw DurableFileError(path: destination, reason: "cannot rename \(temporary) to it: \(errorText())")
        }
        try flush(folder(of: destination), reporting: destination)
    }

    /// The folder a path is in ("." for a bare name).
    static func folder(of path: String) -> String {
        let dir = (path as NSString).deletingLastPathComponent
        return dir.isEmpty ? "." : dir
    }

    /// fsync of a file or folder; errors name `reporting` (the file the caller is finishing).
    private static func flush(_ path: String, reporting: String) throws(DurableFileError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DurableFileError(path: reporting, reason: "cannot open \(path) to flush it: \(errorText())") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw DurableFileError(path: reporting, reason: "flushing \(path) to the disk failed: \(errorText())") }
    }

    /// Writes everything; nil, or the reason it stopped.
    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> String? {
        var done = 0
        while done < bytes.count {
            let n = writeFD(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return "writing failed after \(done) of \(bytes.count) bytes: \(errorText())" }
            done += n
        }
        return nil
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}

private func writeFD(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { write(fd, p, n) }

/// A file that could not be put in place: which, and why (the system's reason, with the step).
public struct DurableFileError: Error, Sendable, Equatable, LocalizedError {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var errorDescription: String? {
        "cannot write \(path): \(reason). Check that its folder exists, is writable and the disk is not full."
    }
}
