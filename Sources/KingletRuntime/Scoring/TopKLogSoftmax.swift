import Foundation
import KingletKernels

/// Reduces a row of logits to its k most likely tokens' log-probabilities and the log of the
/// probability mass left over (the tail), without sorting the vocabulary.
///
/// Two passes over the row [V]: a size-k heap selects the top k (ties: lower id first, as the
/// samplers do); then the softmax normaliser is summed in Float64 as top part + rest, each
/// summed directly, so the tail mass is never the cancellation-prone 1 − Σ top.
public enum TopKLogSoftmax {
    /// The id of a padding entry (k larger than the vocabulary).
    public static let paddingID: Int32 = -1

    /// The smallest tail mass stored (so its log is finite): Float's least normal magnitude.
    public static let minimumTailMass = Double(Float.leastNormalMagnitude)

    /// Writes the top `k` ids and log-probabilities of `row`, most likely first, and returns the
    /// tail's log-mass; nil when the row holds NaN or +∞ or no finite value. When k > V the last
    /// k − V entries are padding (`paddingID`, −∞).
    /// - Parameters: row [V]; ids, logprobs: [k] each.
    public static func reduce(
        _ row: UnsafeBufferPointer<Float>, k: Int,
        ids: UnsafeMutablePointer<Int32>, logprobs: UnsafeMutablePointer<Float>
    ) -> Float? {
        precondition(k >= 1, "k must be positive")
        let n = min(k, row.count)
        guard n > 0 else { return nil }
        var heap = TopK(capacity: n)
        heap.offer(row)
        let top = heap.sortedBestFirst()     // [n], best first
        let m = top[0].value
        guard m.isFinite else { return nil }

        // Selected entries equal to the k-th value are the lowest-index ones of that value.
        let kth = top[n - 1].value
        var tiesInTop = 0
        for e in top where e.value == kth { tiesInTop += 1 }
        var rest = 0.0, tiesSeen = 0
        for v in row {
            if v < kth {
                rest += Double(expf(v - m))
            } else if v == kth {
                tiesSeen += 1
                if tiesSeen > tiesInTop { rest += Double(expf(v - m)) }
            } else if v.isNaN {
                return nil
            }
        }
        let md = Double(m)
        var topSum = 0.0
        for e in top { topSum += exp(Double(e.value) - md) }
        let total = topSum + rest
        guard total.isFinite else { return nil }
        let logTotal = log(total)
        for j in 0 ..< k {
            if j < n {
                ids[j] = top[j].id
                logprobs[j] = Float(Double(top[j].value) - md - logTotal)
            } else {
                ids[j] = paddingID
                logprobs[j] = -.infinity
            }
        }
        return Float(log(max(rest / total, minimumTailMass)))
    }
}
