import Crypto
import Foundation
import KingletArchitectures
import KingletGGUF

/// A prompt cache on disk: the tokens a `PromptCache` holds and their keys and values, so a
/// restarted app or server continues a conversation (or a long system prompt) without evaluating
/// it again. A restored cache is bit-identical to the saved one.
///
/// Layout (little-endian):
///
///     "KGLTKVC\0"                         8 bytes
///     version: UInt32, headerBytes: UInt32
///     header: JSON (`Header`)             headerBytes
///     tokens: Int32 × header.count
///     per layer l: keys of positions firstHeld[l] ..< count, then their values,
///                  header.rowBytes each, in position order
///     SHA-256 of every byte before it     32 bytes
///
/// A file is refused, never loaded, when it is not one, is truncated or altered (its size and
/// checksum), was saved with another model file (`ModelFingerprint`: the tokenizer is part of
/// the digested header), or with a cache of another element type or layout.
public enum PromptCacheFile {
    static let magic = Array("KGLTKVC\0".utf8)
    /// The format version this Kinglet writes and reads.
    public static let version: UInt32 = 1
    static let maxHeaderBytes = 1 << 20
    static let digestBytes = 32

    /// What the cache was saved from.
    struct Header: Codable, Equatable {
        /// `general.name` (or the file name) of the model, for messages.
        var model: String
        var fingerprint: String
        var precision: String
        var rowSize: Int
        var rowBytes: Int
        /// Per layer: its attention window, 0 for a full layer.
        var windows: [Int]
        var count: Int
        var firstHeld: [Int]
    }

    /// Writes `cache` to `url` atomically (a temporary file renamed over it), so a crash leaves
    /// the previous file or the new one, never half of either.
    public static func save(_ cache: PromptCache, engine: Engine, to url: URL) throws(PromptCacheFileError) {
        let kv = cache.state.cache
        let header = Header(model: modelName(engine), fingerprint: engine.modelFingerprint,
                            precision: kv.precision.rawValue, rowSize: kv.rowSize, rowBytes: kv.rowBytes,
                            windows: windows(kv), count: kv.count, firstHeld: (0 ..< kv.layers).map { kv.heldPositions(layer: $0).lowerBound })
        let headerJSON: [UInt8]
        do { headerJSON = Array(try JSONEncoder().encode(header)) } catch {
            throw .file(FileError(url.path, .promptCache, .cannotWrite("cannot encode its header: \(error)")))
        }
        let temporary = url.path + ".partial-\(ProcessInfo.processInfo.processIdentifier)"
        let writer = try HashingWriter(path: temporary, final: url.path)
        defer { writer.discard() }
        try writer.append(magic)
        try writer.append(le: version)
        try writer.append(le: UInt32(headerJSON.count))
        try writer.append(headerJSON)
        for t in cache.tokens { try writer.append(le: t) }
        for l in 0 ..< kv.layers {
            let held = kv.heldPositions(layer: l)
            for p in held { try writer.append(UnsafeRawBufferPointer(start: kv.rows(layer: l, position: p).keys, count: kv.rowBytes)) }
            for p in held { try writer.append(UnsafeRawBufferPointer(start: kv.rows(layer: l, position: p).values, count: kv.rowBytes)) }
        }
        try writer.finish(renamingTo: url.path)
    }

    /// Replaces what `cache` holds with the file's tokens and rows; returns how many tokens it
    /// now holds. On any error the cache is left empty.
    @discardableResult
    public static func restore(_ cache: PromptCache, engine: Engine, from url: URL) throws(PromptCacheFileError) -> Int {
        cache.clear()
        let file: MappedFile
        do { file = try MappedFile(path: url.path) } catch { throw .file(FileError(url.path, .promptCache, .cannotRead(error.localizedDescription))) }
        let bytes = file.bytes
        let path = url.path
        let fixed = magic.count + 8
        guard Array(bytes.prefix(magic.count)) == magic else { throw .file(FileError(path, .promptCache, .notThisFormat)) }
        guard bytes.count >= fixed + digestBytes else { throw .file(FileError(path, .promptCache, .damaged("\(bytes.count) bytes, shorter than any cache file"))) }
        let fileVersion = bytes.loadUnaligned(fromByteOffset: magic.count, as: UInt32.self).littleEndian
        guard fileVersion == version else { throw .file(FileError(path, .promptCache, .unsupportedVersion(found: fileVersion, reads: PromptCacheFile.version))) }
        let headerBytes = Int(bytes.loadUnaligned(fromByteOffset: magic.count + 4, as: UInt32.self).littleEndian)
        guard headerBytes <= maxHeaderBytes, fixed + headerBytes + digestBytes <= bytes.count else {
            throw .file(FileError(path, .promptCache, .damaged("a header of \(headerBytes) bytes in a file of \(bytes.count)")))
        }
        let header: Header
        do { header = try JSONDecoder().decode(Header.self, from: Data(bytes[fixed ..< fixed + headerBytes])) } catch {
            throw .file(FileError(path, .promptCache, .damaged("its header does not decode")))
        }
        let kv = cache.state.cache
        try check(header, against: kv, engine: engine, path: path)
        // The exact size the header implies (each factor is bounded by the checks above).
        var expected = fixed + headerBytes + 4 * header.count + digestBytes
        for l in 0 ..< kv.layers { expected += 2 * (header.count - header.firstHeld[l]) * header.rowBytes }
        guard expected == bytes.count else { throw .file(FileError(path, .promptCache, .damaged("\(bytes.count) bytes where its header implies \(expected)"))) }
        let body = bytes.count - digestBytes
        guard Array(SHA256.hash(data: UnsafeRawBufferPointer(rebasing: bytes[0 ..< body]))) == Array(bytes[body...]) else {
            throw .file(FileError(path, .promptCache, .damaged("its checksum does not match its contents")))
        }
        var offset = fixed + headerBytes
        var tokens = [Int32](repeating: 0, count: header.count)
        for i in tokens.indices {
            tokens[i] = bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self).littleEndian
            offset += 4
        }
        let vocabulary = engine.tokenizer.vocabularySize
        if let bad = tokens.first(where: { $0 < 0 || Int($0) >= vocabulary }) {
            throw .file(FileError(path, .promptCache, .damaged("token \(bad) is outside the vocabulary of \(vocabulary)")))
        }
        var kept = [Int](repeating: 0, count: kv.layers)
        for l in 0 ..< kv.layers {
            let first = header.firstHeld[l], n = header.count - first
            // A ring smaller than the saved one keeps the last positions it has room for.
            kept[l] = max(first, header.count - kv.layout.capacity(layer: l))
            for p in kept[l] ..< header.count {
                let rows = kv.rows(layer: l, position: p)
                let k = offset + (p - first) * header.rowBytes
                rows.keys.copyMemory(from: bytes.baseAddress! + k, byteCount: header.rowBytes)
                rows.values.copyMemory(from: bytes.baseAddress! + k + n * header.rowBytes, byteCount: header.rowBytes)
            }
            offset += 2 * n * header.rowBytes
        }
        kv.restore(count: header.count, firstHeld: kept)
        cache.restored(tokens)
        return header.count
    }

    /// The file's header against the model and the cache it is restored into.
    private static func check(_ h: Header, against kv: KVCache, engine: Engine, path: String) throws(PromptCacheFileError) {
        let fingerprint = engine.modelFingerprint
        guard h.fingerprint == fingerprint else {
            throw .otherModel(path: path, savedFor: "\(h.model) (fingerprint \(h.fingerprint.prefix(12)))",
                              loaded: "\(modelName(engine)) (fingerprint \(fingerprint.prefix(12)))")
        }
        guard h.precision == kv.precision.rawValue, h.rowBytes == kv.rowBytes, h.rowSize == kv.rowSize else {
            throw .incompatible(path: path, what: "holds a \(h.precision) KV cache, this one is \(kv.precision.rawValue)",
                                hint: "Load the model with the KV cache type it was saved with.")
        }
        guard h.windows == windows(kv), h.firstHeld.count == kv.layers else {
            throw .file(FileError(path, .promptCache, .damaged("its layers do not match the model's")))
        }
        guard h.count >= 0, h.count <= kv.capacity else {
            throw .incompatible(path: path, what: "holds \(h.count) positions, more than this context of \(kv.capacity)",
                                hint: "Load the model with a context of at least \(h.count).")
        }
        for (l, first) in h.firstHeld.enumerated() {
            // A full layer holds every position; a ring at least the window before the next one.
            let latest = h.windows[l] == 0 ? 0 : max(0, h.count - h.windows[l] + 1)
            guard first >= 0, first <= latest else { throw .file(FileError(path, .promptCache, .damaged("layer \(l) holds positions from \(first) of \(h.count)"))) }
        }
    }

    private static func windows(_ kv: KVCache) -> [Int] {
        kv.layout.layers.map { if case .sliding(let w) = $0 { return w } else { return 0 } }
    }

    private static func modelName(_ engine: Engine) -> String {
        engine.gguf.metadata["general.name"]?.stringValue ?? URL(fileURLWithPath: engine.path).lastPathComponent
    }
}
