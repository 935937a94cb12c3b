import KingletRuntime

/// A sequence's teacher scores in memory: per scored position the top-k token ids with their
/// log-probabilities (most likely first) and the log of the remaining probability mass.
///
/// Legend: P = scored positions (`ScoredSequence.scoredPositions.count`), k = entries per position.
/// A position with fewer than k known entries (a vocabulary smaller than k, remote top-logprobs
/// that were dropped) is padded at the end with id `paddingID` and log-probability −∞.
public struct ScoreRecord: Sendable, Equatable {
    /// The id of a padding entry.
    public static let paddingID: Int32 = TopKLogSoftmax.paddingID

    public var id: String
    public var contentHash: UInt64
    public var k: Int
    public var ids: [Int32]           // [P, k]
    public var logprobs: [Float]      // [P, k], descending within a position
    public var tailLogMass: [Float]   // [P], log(1 − Σ exp(logprobs)) ≥ log(TopKLogSoftmax.minimumTailMass)

    public init(id: String, contentHash: UInt64, k: Int, ids: [Int32], logprobs: [Float], tailLogMass: [Float]) {
        self.id = id
        self.contentHash = contentHash
        self.k = k
        self.ids = ids
        self.logprobs = logprobs
        self.tailLogMass = tailLogMass
    }

    public var positionCount: Int { tailLogMass.count }

    /// Checks shapes and value ranges: ids in `0 ..< vocabularySize` or padding (with −∞),
    /// log-probabilities ≤ 0 and not NaN, finite tails ≤ 0.
    public func validate(k expectedK: Int, vocabularySize: Int) throws(ScoreError) {
        func fail(_ why: String) throws(ScoreError) -> Never { throw .invalidRecord(id: id, reason: why) }
        if id.isEmpty { try fail("empty id") }
        if k != expectedK { try fail("k is \(k), the store's is \(expectedK)") }
        if ids.count != positionCount * k || logprobs.count != positionCount * k {
            try fail("\(ids.count) ids and \(logprobs.count) log-probabilities for \(positionCount) positions × k \(k)")
        }
        if let why = ScorePayloadCheck.problem(ids: ids, logprobs: logprobs, tails: tailLogMass, k: k, vocabularySize: vocabularySize) {
            try fail(why)
        }
    }
}

/// The value checks shared by the writer (records in memory) and the store (mapped records).
enum ScorePayloadCheck {
    /// Why a payload is out of range, or nil when it is fine. ids [P, k], logprobs [P, k], tails [P].
    static func problem<I: Collection<Int32>, L: Collection<Float>, T: Collection<Float>>(
        ids: I, logprobs: L, tails: T, k: Int, vocabularySize: Int
    ) -> String? where I.Index == Int, L.Index == Int, T.Index == Int {
        let start = ids.startIndex, lstart = logprobs.startIndex
        for i in 0 ..< ids.count {
            let id = ids[start + i], lp = logprobs[lstart + i]
            if id == ScoreRecord.paddingID {
                if lp != -.infinity { return "padding entry \(i) has log-probability \(lp) instead of −∞" }
            } else if id < 0 || Int(id) >= vocabularySize {
                return "token id \(id) at entry \(i) is outside the vocabulary (size \(vocabularySize))"
            } else if lp.isNaN || lp > 0 {
                return "log-probability \(lp) at entry \(i)"
            }
        }
        for t in tails where !t.isFinite || t > 0 { return "tail log-mass \(t)" }
        return nil
    }
}
