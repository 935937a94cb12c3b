import KingletRuntime

/// Top-k log-probabilities collected one position at a time, as a local teacher generates: the
/// logits row that chose each completion token is reduced the moment it exists, so the samples
/// come out of generation already scored and the separate scoring pass has nothing left to do.
///
/// Legend: P = positions appended so far (one per completion token), k = entries per position.
public struct PositionScores: Sendable, Equatable {
    public let k: Int
    public private(set) var ids: [Int32] = []          // [P, k]
    public private(set) var logprobs: [Float] = []     // [P, k]
    public private(set) var tailLogMass: [Float] = []  // [P]

    public init(k: Int) {
        precondition(k >= 1 && k <= 1 << 16, "k must be in 1...65536")
        self.k = k
    }

    public var positionCount: Int { tailLogMass.count }

    /// One position's reduction: the top k ids and log-probabilities, and the tail's log-mass.
    public struct Row: Sendable {
        public var ids: [Int32]
        public var logprobs: [Float]
        public var tailLogMass: Float

        /// The reduction of a logits row [V]; nil when it holds NaN or +∞.
        public init?(logits row: [Float], k: Int) {
            var ids = [Int32](repeating: 0, count: k), logprobs = [Float](repeating: 0, count: k)
            let tail = row.withUnsafeBufferPointer { r in
                ids.withUnsafeMutableBufferPointer { i in
                    logprobs.withUnsafeMutableBufferPointer { l in
                        TopKLogSoftmax.reduce(r, k: k, ids: i.baseAddress!, logprobs: l.baseAddress!)
                    }
                }
            }
            guard let tail else { return nil }
            self.ids = ids
            self.logprobs = logprobs
            tailLogMass = tail
        }
    }

    /// Appends a position reduced with this k. (A row that was not finite has no `Row`: the
    /// generator then drops the sample's scores and leaves it to the scoring pass.)
    public mutating func append(_ row: Row) {
        precondition(row.ids.count == k && row.logprobs.count == k, "a row of another k")
        ids += row.ids
        logprobs += row.logprobs
        tailLogMass.append(row.tailLogMass)
    }

    /// The record of `sequence`, whose scored positions these are (nil when the counts differ).
    public func record(for sequence: ScoredSequence) -> ScoreRecord? {
        guard sequence.scoredPositions.count == positionCount else { return nil }
        return ScoreRecord(id: sequence.id, contentHash: sequence.contentHash, k: k, ids: ids, logprobs: logprobs,
                           tailLogMass: tailLogMass)
    }
}
