import Foundation
import KingletText
#if canImport(Glibc)
import Glibc
#endif

/// A distillation run directory. Its `samples.jsonl` holds one `DistillRecord` a line, appended
/// as the teacher finishes them; records are never rewritten.
///
/// Crash safety: records are written whole-line with `O_APPEND` and fsynced per batch. A process
/// killed mid-write leaves at most one torn last line (no newline); reading skips it and opening
/// for appending cuts it off, so a rerun regenerates just that sample.
public struct DistillDataset: Sendable {
    /// The run directory.
    public let directory: URL

    /// The dataset in `directory` (created when first appended to).
    public init(directory: URL) {
        self.directory = directory
    }

    /// `samples.jsonl`.
    public var samplesURL: URL { directory.appendingPathComponent("samples.jsonl") }

    /// Every complete record, in the order written (none when the file does not exist yet).
    public func records() throws -> [DistillRecord] {
        guard FileManager.default.fileExists(atPath: samplesURL.path) else { return [] }
        let data: Data
        do { data = try Data(contentsOf: samplesURL) } catch {
            throw DatasetError.io(path: samplesURL.path, reason: (error as NSError).localizedDescription)
        }
        let decoder = JSONDecoder()
        var out: [DistillRecord] = []
        try Self.forEachLine(Array(data)) { line, number in
            do { out.append(try decoder.decode(DistillRecord.self, from: Data(line))) } catch {
                throw DatasetError.badRecord(path: samplesURL.path, line: number, reason: DecodingError.describe(error))
            }
        }
        return out
    }

    /// Opens `samples.jsonl` for appending (creating the directory and file), cutting off a torn
    /// last line. Only one writer may hold a directory at a time.
    public func openForAppending() throws -> DistillDatasetWriter {
        try DistillDatasetWriter(dataset: self)
    }

    /// Calls `body` with each complete line (without its newline; blank lines skipped) and its
    /// 1-based number. A torn last line (no newline) is not visited.
    static func forEachLine(_ bytes: [UInt8], _ body: (ArraySlice<UInt8>, Int) throws -> Void) rethrows {
        var start = 0
        var number = 0
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") {
            number += 1
            let line = bytes[start ..< i]
            if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { try body(line, number) }
            start = i + 1
        }
    }
}

/// Appends records to a dataset; safe to call from several threads.
public final class DistillDatasetWriter: @unchecked Sendable {
    public let dataset: DistillDataset
    /// Bytes of a torn last line cut off on opening (0 when the file was whole).
    public let truncatedBytes: Int
    private let fd: Int32
    private let lock = NSLock()
    private var known: Set<String>
    private var isOpen = true

    init(dataset: DistillDataset) throws {
        self.dataset = dataset
        let path = dataset.samplesURL.path
        do { try FileManager.default.createDirectory(at: dataset.directory, withIntermediateDirectories: true) } catch {
            throw DatasetError.io(path: dataset.directory.path, reason: (error as NSError).localizedDescription)
        }
        fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw DatasetError.io(path: path, reason: String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            closeFile(fd)
            throw DatasetError.busy(path: path)
        }
        let bytes: [UInt8]
        do { bytes = Array(try Data(contentsOf: dataset.samplesURL)) } catch {
            closeFile(fd)
            throw DatasetError.io(path: path, reason: (error as NSError).localizedDescription)
        }
        // A torn last line: everything after the last newline.
        let keep = (bytes.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 }) ?? 0
        truncatedBytes = bytes.count - keep
        if truncatedBytes > 0 {
            guard ftruncate(fd, off_t(keep)) == 0, fsync(fd) == 0 else {
                let reason = String(cString: strerror(errno))
                closeFile(fd)
                throw DatasetError.io(path: path, reason: "cannot cut off the torn last line: \(reason)")
            }
        }
        struct IDOnly: Decodable { var id: String }
        var ids = Set<String>()
        let decoder = JSONDecoder()
        do {
            try DistillDataset.forEachLine(Array(bytes[..<keep])) { line, number in
                do { ids.insert(try decoder.decode(IDOnly.self, from: Data(line)).id) } catch {
                    throw DatasetError.badRecord(path: path, line: number, reason: DecodingError.describe(error))
                }
            }
        } catch {
            closeFile(fd)
            throw error
        }
        known = ids
    }

    deinit { close() }

    /// The ids already in the dataset.
    public var ids: Set<String> { lock.withLock { known } }

    /// True when a record with this id is there.
    public func contains(_ id: String) -> Bool { lock.withLock { known.contains(id) } }

    /// Appends a record unless its id is already there (returns false then). Not yet durable:
    /// call `sync()` after a batch.
    @discardableResult
    public func append(_ record: DistillRecord) throws -> Bool {
        var line = try record.jsonLine()
        line.append(UInt8(ascii: "\n"))
        return try lock.withLock {
            guard isOpen else { throw DatasetError.io(path: dataset.samplesURL.path, reason: "the writer is closed") }
            if known.contains(record.id) { return false }
            try writeAll(line)
            known.insert(record.id)
            return true
        }
    }

    /// Flushes appended records to the disk.
    public func sync() throws {
        try lock.withLock {
            guard isOpen else { return }
            guard fsync(fd) == 0 else { throw DatasetError.io(path: dataset.samplesURL.path, reason: String(cString: strerror(errno))) }
        }
    }

    /// Syncs and releases the file (and its lock). Idempotent.
    public func close() {
        lock.withLock {
            guard isOpen else { return }
            isOpen = false
            _ = fsync(fd)
            closeFile(fd)
        }
    }

    private func writeAll(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw DatasetError.io(path: dataset.samplesURL.path, reason: String(cString: strerror(errno)))
                }
                done += n
            }
        }
    }
}

private func closeFile(_ fd: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(fd)
    #else
    _ = Darwin.close(fd)
    #endif
}

/// Errors reading or writing a dataset.
public enum DatasetError: Error, LocalizedError, Sendable, Equatable {
    case io(path: String, reason: String)
    case badRecord(path: String, line: Int, reason: String)
    case busy(path: String)

    public var errorDescription: String? {
        switch self {
        case .io(let p, let r): return "cannot read or write \(p): \(r)."
        case .badRecord(let p, let n, let r):
            return "\(p):\(n): \(r). The file holds one JSON record per line; fix or delete that line and run again."
        case .busy(let p):
            return "\(p) is being written by another process. Wait for it, or use another --out directory."
        }
    }
}
