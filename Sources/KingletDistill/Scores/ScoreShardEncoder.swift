/// Serialises records into one `.kscr` shard (see `ScoreShardLayout`).
struct ScoreShardEncoder {
    let k: Int
    let vocabularySize: Int
    let tokenizerFingerprint: UInt64

    /// The shard's bytes. Records must already be validated against k and the vocabulary.
    func encode(_ records: [ScoreRecord]) -> [UInt8] {
        let idWidth = ScoreShardLayout.idWidth(vocabularySize: vocabularySize)
        let idBytes = records.map { Array($0.id.utf8) }
        let indexEnd = ScoreShardLayout.headerSize + records.count * ScoreShardLayout.indexEntrySize
        let idBytesOffset = indexEnd
        let payloadOffset = ScoreShardLayout.align8(idBytesOffset + idBytes.reduce(0) { $0 + $1.count })
        var payloadOffsets: [Int] = []
        var payloadSize = 0
        for r in records {
            payloadOffsets.append(payloadSize)
            payloadSize += ScoreShardLayout.payloadSize(positions: r.positionCount, k: k, idWidth: idWidth)
        }
        let fileSize = payloadOffset + payloadSize

        var out = ByteWriter(capacity: fileSize)
        out.bytes(ScoreShardLayout.magic)
        out.u32(ScoreShardLayout.version)
        out.u32(UInt32(k))
        out.u32(UInt32(vocabularySize))
        out.u32(UInt32(idWidth))
        out.u32(UInt32(records.count))
        out.u64(tokenizerFingerprint)
        out.u64(UInt64(idBytesOffset))
        out.u64(UInt64(payloadOffset))
        out.u64(UInt64(fileSize))
        out.u64(0)
        var idOffset = 0
        for (i, r) in records.enumerated() {
            out.u64(r.contentHash)
            out.u64(UInt64(payloadOffsets[i]))
            out.u32(UInt32(r.positionCount))
            out.u32(UInt32(idOffset))
            out.u32(UInt32(idBytes[i].count))
            out.u32(0)
            idOffset += idBytes[i].count
        }
        for b in idBytes { out.bytes(b) }
        out.pad(to: payloadOffset)
        let padding = ScoreShardLayout.paddingBits(idWidth: idWidth)
        for (i, r) in records.enumerated() {
            for v in r.logprobs { out.u32(v.bitPattern) }
            for v in r.tailLogMass { out.u32(v.bitPattern) }
            for id in r.ids {
                let bits = id == ScoreRecord.paddingID ? padding : UInt32(id)
                if idWidth == 2 { out.u16(UInt16(bits)) } else { out.u32(bits) }
            }
            out.pad(to: payloadOffset + payloadOffsets[i] + ScoreShardLayout.payloadSize(positions: r.positionCount, k: k, idWidth: idWidth))
        }
        precondition(out.count == fileSize, "shard size \(out.count) != planned \(fileSize)")
        return out.buffer
    }
}

/// Appends little-endian integers to a byte array.
struct ByteWriter {
    private(set) var buffer: [UInt8] = []
    var count: Int { buffer.count }

    init(capacity: Int) { buffer.reserveCapacity(capacity) }

    mutating func bytes(_ b: [UInt8]) { buffer += b }
    mutating func u16(_ v: UInt16) { buffer.append(UInt8(v & 0xFF)); buffer.append(UInt8(v >> 8)) }
    mutating func u32(_ v: UInt32) { for s in stride(from: 0, to: 32, by: 8) { buffer.append(UInt8(truncatingIfNeeded: v >> UInt32(s))) } }
    mutating func u64(_ v: UInt64) { for s in stride(from: 0, to: 64, by: 8) { buffer.append(UInt8(truncatingIfNeeded: v >> UInt64(s))) } }
    mutating func pad(to size: Int) { if buffer.count < size { buffer += repeatElement(0, count: size - buffer.count) } }
}
