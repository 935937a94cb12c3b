/// The teacher's distributions for the rows of one batch: per row its top-k token ids and
/// log-probabilities and the log of the remaining (tail) mass.
///
///   ids, logprobs  [N, k]   (a row without teacher data has `present[r] == false`)
///   tailLogMass    [N]
///   crossEntropyWeight [N]  the CE term's factor: 1 on the teacher's text, 0 on the student's own
///                           (on-policy rows, taught by the divergence alone)
public struct TeacherTargets: Sendable {
    public let k: Int
    public var ids: [Int32]
    public var logprobs: [Float]
    public var tailLogMass: [Float]
    public var present: [Bool]
    public var crossEntropyWeight: [Float]

    public init(rows: Int, k: Int) {
        self.k = k
        ids = [Int32](repeating: 0, count: rows * k)
        logprobs = [Float](repeating: -.infinity, count: rows * k)
        tailLogMass = [Float](repeating: 0, count: rows)
        present = [Bool](repeating: false, count: rows)
        crossEntropyWeight = [Float](repeating: 1, count: rows)
    }
}
