/// One sequence's teacher scores, read in place from a memory-mapped shard: per scored position
/// the top-k ids and log-probabilities (most likely first) and the tail's log-mass.
///
/// Legend: P = positions (`positionCount`), k = entries per position. Position p here is
/// sequence position `promptLength - 1 + p`, the distribution over token p + promptLength.
/// Padding entries (fewer than k known tokens) come last: id `ScoreRecord.paddingID`, log-prob −∞.
/// The view keeps its shard mapped while it lives.
public struct TeacherScores: @unchecked Sendable {
    public let id: String
    public let contentHash: UInt64
    public let positionCount: Int                 // P
    public let k: Int
    /// All log-probabilities, [P, k].
    public let logprobs: UnsafeBufferPointer<Float>
    /// log(1 − Σ top-k p) per position, [P].
    public let tailLogMass: UnsafeBufferPointer<Float>
    private let rawIDs: UnsafeRawPointer          // [P, k] of UInt16 or UInt32
    private let idWidth: Int
    private let owner: AnyObject

    init(id: String, contentHash: UInt64, positionCount p: Int, k: Int, idWidth: Int, payload: UnsafeRawPointer, owner: AnyObject) {
        self.id = id
        self.contentHash = contentHash
        self.positionCount = p
        self.k = k
        self.idWidth = idWidth
        self.owner = owner
        // The payload is 8-aligned inside a page-aligned mapping; it is only ever read as these types.
        logprobs = UnsafeBufferPointer(start: payload.bindMemory(to: Float.self, capacity: p * k), count: p * k)
        tailLogMass = UnsafeBufferPointer(start: (payload + p * k * 4).bindMemory(to: Float.self, capacity: p), count: p)
        rawIDs = payload + p * k * 4 + p * 4
    }

    /// The id of entry `rank` (0 = most likely) at `position`; `ScoreRecord.paddingID` for padding.
    @inline(__always) public func tokenID(position: Int, rank: Int) -> Int32 {
        precondition(position >= 0 && position < positionCount && rank >= 0 && rank < k, "index out of range")
        let i = position * k + rank
        if idWidth == 2 {
            let v = rawIDs.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)
            return v == 0xFFFF ? ScoreRecord.paddingID : Int32(UInt16(littleEndian: v))
        }
        let v = UInt32(littleEndian: rawIDs.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))
        return v == 0xFFFF_FFFF ? ScoreRecord.paddingID : Int32(bitPattern: v)
    }

    /// The k ids at `position`, most likely first.
    public func tokenIDs(at position: Int) -> [Int32] {
        (0 ..< k).map { tokenID(position: position, rank: $0) }
    }

    /// The k log-probabilities at `position`, most likely first.
    public func logprobs(at position: Int) -> UnsafeBufferPointer<Float> {
        precondition(position >= 0 && position < positionCount, "position out of range")
        return UnsafeBufferPointer(rebasing: logprobs[position * k ..< (position + 1) * k])
    }

    /// All ids, [P, k] (padding as `ScoreRecord.paddingID`).
    public var allTokenIDs: [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(positionCount * k)
        for p in 0 ..< positionCount { for r in 0 ..< k { out.append(tokenID(position: p, rank: r)) } }
        return out
    }

    /// A copy in memory.
    public var record: ScoreRecord {
        ScoreRecord(id: id, contentHash: contentHash, k: k, ids: allTokenIDs, logprobs: Array(logprobs), tailLogMass: Array(tailLogMass))
    }
}
