/// The `.kscr` teacher-score shard format, version 1. Little-endian; every section starts on an
/// 8-byte boundary, so a memory-mapped shard is read in place (no copy, no parse of the payload).
///
///     header (64 bytes)
///        0  magic "KSCR"                      4
///        4  version               UInt32     (1)
///        8  k                     UInt32     entries per position
///       12  vocabularySize        UInt32     V
///       16  idWidth               UInt32     2 when V ≤ 65535 (UInt16 ids), else 4
///       20  recordCount           UInt32     N
///       24  tokenizerFingerprint  UInt64
///       32  idBytesOffset         UInt64     start of the sample-id bytes
///       40  payloadOffset         UInt64     start of the payload
///       48  fileSize              UInt64     total bytes, to catch truncation
///       56  reserved              UInt64     0
///     index, N × 32 bytes at 64
///        0  contentHash           UInt64     ScoredSequence.contentHash
///        8  payloadOffset         UInt64     relative to the payload section, 8-aligned
///       16  positionCount         UInt32     P
///       20  idOffset              UInt32     relative to the id bytes
///       24  idLength              UInt32     bytes of UTF-8
///       28  reserved              UInt32     0
///     id bytes: the sample ids' UTF-8, concatenated, zero-padded to 8
///     payload: per record, zero-padded to 8
///       logprobs     [P, k] Float32   most likely first; padding −∞
///       tailLogMass  [P]    Float32
///       ids          [P, k] UInt16 | UInt32 (idWidth); padding all ones
///
/// Why Float32 log-probabilities: Float16 keeps 11 significant bits, so a log-probability l
/// moves by up to |l|·2⁻¹¹ and the stored distribution stops summing to 1 by up to ~1e-3 — the
/// size of the effects distillation runs compare. Ids are where the space goes without loss:
/// UInt16 for vocabularies below 65,536 (SmolLM2's is 49,152) brings a k = 32 position from
/// 260 to 196 bytes.
enum ScoreShardLayout {
    static let magic: [UInt8] = Array("KSCR".utf8)
    static let version: UInt32 = 1
    static let headerSize = 64
    static let indexEntrySize = 32
    static let fileExtension = "kscr"
    static let namePrefix = "scores-"

    /// Bytes per id for a vocabulary: UInt16 leaves 0xFFFF free as the padding id.
    static func idWidth(vocabularySize: Int) -> Int { vocabularySize <= 0xFFFF ? 2 : 4 }

    static func paddingBits(idWidth: Int) -> UInt32 { idWidth == 2 ? 0xFFFF : 0xFFFF_FFFF }

    /// Payload bytes of one record of P positions, rounded up to 8.
    static func payloadSize(positions p: Int, k: Int, idWidth: Int) -> Int {
        align8(p * k * 4 + p * 4 + p * k * idWidth)
    }

    static func align8(_ n: Int) -> Int { (n + 7) & ~7 }

    /// `scores-00012.kscr`.
    static func shardName(_ index: Int) -> String {
        let digits = String(index)
        return namePrefix + String(repeating: "0", count: max(0, 5 - digits.count)) + digits + "." + fileExtension
    }

    /// The number in a shard's file name, or nil for any other file.
    static func shardIndex(fileName: String) -> Int? {
        let suffix = "." + fileExtension
        guard fileName.hasPrefix(namePrefix), fileName.hasSuffix(suffix) else { return nil }
        let digits = fileName.dropFirst(namePrefix.count).dropLast(suffix.count)
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        return Int(digits)
    }
}
