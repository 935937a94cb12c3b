import Foundation
import KingletRuntime

/// The digests a shard manifest compares: cheap to compute on every machine, equal wherever the
/// same teacher file and work list are used (paths do not enter them).
enum ShardFingerprints {
    /// Bytes read from each end of a model file.
    static let sampleBytes = 1 << 20

    /// SHA-256 (hex) of `parts`, each followed by a newline.
    static func digest(_ parts: [String]) -> String {
        var bytes: [UInt8] = []
        for p in parts {
            bytes += Array(p.utf8)
            bytes.append(UInt8(ascii: "\n"))
        }
        return Digests.hex(Digests.sha256(bytes))
    }

    /// A model file's fingerprint: SHA-256 (hex) of its size and its first and last MiB (the
    /// GGUF header and metadata, and the last tensor's bytes), so a copy on another machine
    /// matches and a different model or quantization does not, without reading gigabytes.
    static func modelFile(_ url: URL) throws(ShardError) -> String {
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            throw .io(path: url.path, reason: "cannot open the teacher's model file")
        }
        defer { try? handle.close() }
        do {
            let size = try handle.seekToEnd()
            try handle.seek(toOffset: 0)
            var bytes = Array("\(size)\n".utf8)
            bytes += Array(try handle.read(upToCount: sampleBytes) ?? Data())
            try handle.seek(toOffset: size > UInt64(sampleBytes) ? size - UInt64(sampleBytes) : 0)
            bytes += Array(try handle.read(upToCount: sampleBytes) ?? Data())
            return Digests.hex(Digests.sha256(bytes))
        } catch {
            throw .io(path: url.path, reason: "cannot read the teacher's model file (\(error.localizedDescription))")
        }
    }

    /// A 64-bit fingerprint as 16 hex digits.
    static func hex(_ v: UInt64) -> String { String(format: "%016llx", v) }
}

extension ShardFingerprints {
    /// SHA-256 (hex) of a set of scored (id, content hash) keys, whatever their order.
    static func scoredKeys(_ keys: [(id: String, contentHash: UInt64)]) -> String {
        digest(keys.map { "\($0.id) \(hex($0.contentHash))" }.sorted())
    }
}
