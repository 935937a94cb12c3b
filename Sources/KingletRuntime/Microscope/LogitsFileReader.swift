import Foundation
import KingletGGUF

/// A logits file opened for comparison: memory-mapped, its header and every size checked
/// against the file's length before any row is read, so a damaged or truncated file is refused
/// with an error and never read out of bounds. Reads Kinglet's layout and llama.cpp's
/// `--kl-divergence-base` layout (`LogitsFileHeader`).
public final class LogitsFileReader: @unchecked Sendable {
    /// Longest model name a header may hold.
    static let maximumNameBytes = 4096

    public let path: String
    public let header: LogitsFileHeader
    /// The plan's tokens, `chunks × context`, as the text tokenized (no BOS substitution).
    public let tokens: [Int32]
    private let file: MappedFile
    private let rowsOffset: Int

    public init(path: String) throws(MicroscopeError) {
        self.path = path
        do { file = try MappedFile(path: path) } catch { throw .file(FileError(path, .logits, .cannotRead(error.errorDescription ?? "\(error)"))) }
        var cursor = HeaderCursor(bytes: file.bytes, path: path)
        let magic = try cursor.bytes(8)
        let header: LogitsFileHeader
        switch magic {
        case LogitsFileHeader.kingletMagic: header = try Self.kingletHeader(&cursor)
        case LogitsFileHeader.llamaCppMagic: header = try Self.llamaCppHeader(&cursor)
        default: throw .file(FileError(path, .logits, .notThisFormat))
        }
        let tokenBytes = header.chunkCount.multipliedReportingOverflow(by: header.context * 4)
        let rowBytes = (header.chunkCount * header.rowsPerChunk).multipliedReportingOverflow(by: header.rowBytes)
        let expected = cursor.offset.addingReportingOverflow(tokenBytes.partialValue &+ rowBytes.partialValue)
        guard !tokenBytes.overflow, !rowBytes.overflow, !expected.overflow, expected.partialValue == file.bytes.count else {
            throw .file(FileError(path, .logits, .sizeMismatch(expected: expected.partialValue, actual: file.bytes.count)))
        }
        var tokens = [Int32](repeating: 0, count: header.chunkCount * header.context)
        for i in tokens.indices {
            let t = Int32(littleEndian: file.bytes.loadUnaligned(fromByteOffset: cursor.offset + 4 * i, as: Int32.self))
            guard t >= 0, Int(t) < header.vocabularySize else {
                throw .file(FileError(path, .logits, .damaged("token \(t) at position \(i) is outside the vocabulary of \(header.vocabularySize)")))
            }
            tokens[i] = t
        }
        self.header = header
        self.tokens = tokens
        rowsOffset = cursor.offset + 4 * tokens.count
        if case .topK = header.storage {
            for c in 0 ..< header.chunkCount {
                for p in 0 ..< header.rowsPerChunk {
                    guard let row = row(chunk: c, index: p) as? TopKLogProbs, row.idsValid(vocabularySize: header.vocabularySize) else {
                        throw .file(FileError(path, .logits, .damaged("row \(p) of chunk \(c) names a token outside the vocabulary")))
                    }
                }
            }
        }
    }

    /// The chunks the file was saved from.
    public var plan: ChunkPlan { try! ChunkPlan(context: header.context, chunkCount: header.chunkCount) }

    /// Scored row `index` of `chunk`.
    func row(chunk: Int, index: Int) -> any ReferenceRow {
        let start = rowsOffset + (chunk * header.rowsPerChunk + index) * header.rowBytes
        let bytes = UnsafeRawBufferPointer(rebasing: file.bytes[start ..< start + header.rowBytes])
        switch header.storage {
        case .full: return QuantizedLogProbs(bytes: bytes, vocabularySize: header.vocabularySize)
        case .topK(let k): return TopKLogProbs(bytes: bytes, k: k)
        }
    }

    private static func kingletHeader(_ c: inout HeaderCursor) throws(MicroscopeError) -> LogitsFileHeader {
        let version = try c.u32()
        guard version == LogitsFileHeader.version else { throw .file(FileError(c.path, .logits, .unsupportedVersion(found: version, reads: LogitsFileHeader.version))) }
        let storageCode = try c.u32(), k = Int(try c.u32())
        let (context, vocabulary, chunks) = try c.sizes(Int(try c.u32()), Int(try c.u32()), Int(try c.u32()))
        let storage: LogitsFileHeader.Storage
        switch storageCode {
        case 0: storage = .full
        case 1 where k >= 1 && k <= vocabulary: storage = .topK(k)
        case 1: throw .file(FileError(c.path, .logits, .damaged("top-\(k) storage for a vocabulary of \(vocabulary)")))
        default: throw .file(FileError(c.path, .logits, .damaged("unknown storage \(storageCode)")))
        }
        let text = try c.bytes(32), vocab = try c.bytes(32)
        let nameLength = Int(try c.u32())
        guard nameLength <= maximumNameBytes else { throw .file(FileError(c.path, .logits, .damaged("a model name of \(nameLength) bytes"))) }
        let name = String(decoding: try c.bytes(nameLength), as: UTF8.self)
        _ = try c.bytes((4 - c.offset % 4) % 4)
        return LogitsFileHeader(format: .kinglet, storage: storage, context: context, vocabularySize: vocabulary, chunkCount: chunks,
                                modelName: name, textDigest: text, vocabularyDigest: vocab)
    }

    private static func llamaCppHeader(_ c: inout HeaderCursor) throws(MicroscopeError) -> LogitsFileHeader {
        let context = Int(try c.u32())
        let vocabulary = Int(Int32(bitPattern: try c.u32())), chunks = Int(Int32(bitPattern: try c.u32()))
        let sizes = try c.sizes(context, vocabulary, chunks)
        return LogitsFileHeader(format: .llamaCpp, storage: .full, context: sizes.0, vocabularySize: sizes.1, chunkCount: sizes.2)
    }
}

/// Bounds-checked reads of a header; running out is `.truncated`.
private struct HeaderCursor {
    let bytes: UnsafeRawBufferPointer
    let path: String
    var offset = 0

    mutating func bytes(_ n: Int) throws(MicroscopeError) -> [UInt8] {
        guard n <= bytes.count - offset else { throw .file(FileError(path, .logits, .sizeMismatch(expected: offset + n, actual: bytes.count))) }
        defer { offset += n }
        return Array(bytes[offset ..< offset + n])
    }

    mutating func u32() throws(MicroscopeError) -> UInt32 {
        let b = try bytes(4)
        return UInt32(b[0]) | UInt32(b[1]) << 8 | UInt32(b[2]) << 16 | UInt32(b[3]) << 24
    }

    /// Context, vocabulary and chunk count, each within what a real file can hold.
    func sizes(_ context: Int, _ vocabulary: Int, _ chunks: Int) throws(MicroscopeError) -> (Int, Int, Int) {
        guard (4 ... 1 << 24).contains(context) else { throw .file(FileError(path, .logits, .damaged("a context of \(context)"))) }
        guard (1 ... 1 << 24).contains(vocabulary) else { throw .file(FileError(path, .logits, .damaged("a vocabulary of \(vocabulary)"))) }
        guard (1 ... 1 << 24).contains(chunks) else { throw .file(FileError(path, .logits, .damaged("\(chunks) chunks"))) }
        return (context, vocabulary, chunks)
    }
}
