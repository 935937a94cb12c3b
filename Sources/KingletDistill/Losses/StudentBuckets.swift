import KingletTraining

/// The student's probabilities over the teacher's k + 1 buckets, from exponentials e[j] ∝ q_j.
///
/// The tail is summed directly over the tokens outside the top-k (not as 1 − Σ top-k, which loses
/// all precision when the true tail is tiny and would put phantom mass there), and the buckets are
/// normalized by their own total so they sum to 1 exactly.
struct StudentBuckets {
    var top: [Double]     // [k] q of each teacher top-k token (0 for an unused id −1)
    var tail: Double      // q of every other token together
    var total: Double     // Σ e over the vocabulary (the normalizer used)

    init(exponentials e: UnsafeMutablePointer<Float>, vocab: Int, ids: UnsafePointer<Int32>, k: Int) {
        var saved = [Float](repeating: 0, count: k)
        var topSum = 0.0
        for i in 0 ..< k where ids[i] >= 0 {
            let j = Int(ids[i])
            saved[i] = e[j]
            if e[j] != 0 { topSum += Double(e[j]) }
            e[j] = 0   // a repeated id is counted once
        }
        let tailSum = VectorMath.sum(e, vocab)
        for i in (0 ..< k).reversed() where ids[i] >= 0 { e[Int(ids[i])] = saved[i] }
        let norm = topSum + tailSum
        total = norm
        top = (0 ..< k).map { ids[$0] >= 0 ? Double(saved[$0]) / norm : 0 }
        tail = tailSum / norm
    }
}
