import KingletGGUF

/// One memory-mapped `.kscr` shard, its header and index checked on open. The payload is only
/// checked per record, when a record is looked up (`TeacherScoreStore.scores(for:)`).
struct ScoreShard: @unchecked Sendable {
    struct Entry {
        var id: String
        var contentHash: UInt64
        var payloadOffset: Int   // absolute
        var positionCount: Int
    }

    let path: String
    let file: MappedFile
    let k: Int
    let vocabularySize: Int
    let idWidth: Int
    let tokenizerFingerprint: UInt64
    let entries: [Entry]
    private let base: UnsafeRawPointer

    init(path: String) throws(ScoreError) {
        self.path = path
        do { file = try MappedFile(path: path) } catch { throw .file(FileError(path, .scoreShard, .cannotRead(error.errorDescription ?? "\(error)"))) }
        let bytes = file.bytes
        func bad(_ offset: Int, _ why: String) -> ScoreError { .file(FileError(path, .scoreShard, .damaged("at byte \(offset), \(why)"))) }
        guard bytes.count >= ScoreShardLayout.headerSize, let base = bytes.baseAddress else {
            throw bad(0, "\(bytes.count) bytes, shorter than the \(ScoreShardLayout.headerSize)-byte header")
        }
        guard Array(bytes[0 ..< 4]) == ScoreShardLayout.magic else { throw .file(FileError(path, .scoreShard, .notThisFormat)) }
        self.base = base
        let r = ByteReader(bytes)
        guard r.u32(4) == ScoreShardLayout.version else {
            throw .file(FileError(path, .scoreShard, .unsupportedVersion(found: r.u32(4), reads: ScoreShardLayout.version)))
        }
        k = Int(r.u32(8))
        vocabularySize = Int(r.u32(12))
        idWidth = Int(r.u32(16))
        let count = Int(r.u32(20))
        tokenizerFingerprint = r.u64(24)
        guard k >= 1, k <= 1 << 16 else { throw bad(8, "k = \(k) out of range 1...65536") }
        guard vocabularySize >= 1 else { throw bad(12, "vocabulary size 0") }
        guard idWidth == ScoreShardLayout.idWidth(vocabularySize: vocabularySize) else {
            throw bad(16, "id width \(idWidth) for a vocabulary of \(vocabularySize)")
        }
        let idBytesOffset = r.u64(32), payloadOffset = r.u64(40), fileSize = r.u64(48)
        guard fileSize == UInt64(bytes.count) else {
            throw .file(FileError(path, .scoreShard, .sizeMismatch(expected: Int(clamping: fileSize), actual: bytes.count)))
        }
        let indexEnd = ScoreShardLayout.headerSize + count * ScoreShardLayout.indexEntrySize
        guard idBytesOffset == UInt64(indexEnd), payloadOffset >= idBytesOffset, payloadOffset <= fileSize,
              payloadOffset % 8 == 0 else {
            throw bad(32, "section offsets \(idBytesOffset), \(payloadOffset) do not fit \(count) records in \(fileSize) bytes")
        }
        let idBytesSize = Int(payloadOffset - idBytesOffset), payloadSize = Int(fileSize - payloadOffset)
        var entries: [Entry] = []
        entries.reserveCapacity(count)
        for i in 0 ..< count {
            let at = ScoreShardLayout.headerSize + i * ScoreShardLayout.indexEntrySize
            let relative = r.u64(at + 8), positions = Int(r.u32(at + 16))
            let idOffset = Int(r.u32(at + 20)), idLength = Int(r.u32(at + 24))
            let size = ScoreShardLayout.payloadSize(positions: positions, k: k, idWidth: idWidth)
            guard relative % 8 == 0, relative <= UInt64(payloadSize), Int(relative) + size <= payloadSize else {
                throw bad(at + 8, "record \(i): payload at \(relative) (+\(size) bytes) outside the \(payloadSize)-byte payload")
            }
            guard idLength > 0, idOffset + idLength <= idBytesSize else {
                throw bad(at + 20, "record \(i): id bytes \(idOffset) +\(idLength) outside the \(idBytesSize)-byte id section")
            }
            let start = Int(idBytesOffset) + idOffset
            guard let id = String(validating: bytes[start ..< start + idLength], as: UTF8.self) else {
                throw bad(start, "record \(i): id is not UTF-8")
            }
            entries.append(Entry(id: id, contentHash: r.u64(at), payloadOffset: Int(payloadOffset) + Int(relative), positionCount: positions))
        }
        self.entries = entries
    }

    /// A view of record `i`'s payload.
    func scores(_ i: Int) -> TeacherScores {
        let e = entries[i]
        return TeacherScores(id: e.id, contentHash: e.contentHash, positionCount: e.positionCount, k: k,
                             idWidth: idWidth, payload: base + e.payloadOffset, owner: file)
    }
}

/// Reads little-endian integers at absolute offsets (the caller has checked the bounds).
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }
    func u32(_ at: Int) -> UInt32 { UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
    func u64(_ at: Int) -> UInt64 { UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
}
