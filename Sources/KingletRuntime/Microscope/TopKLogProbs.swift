import Foundation

/// A compact reference row: the target token's f32 log-probability, the f32 log of the mass
/// outside the top k, then k i32 ids (most likely first; `TopKLogSoftmax.paddingID` past the
/// vocabulary) and their k f32 log-probabilities.
///
/// KL-divergence from it is taken over k + 1 buckets (the top k tokens and the rest):
/// Σ_top p (log p − log q) + p_tail (log p_tail − log q_tail). Merging tokens never raises a
/// divergence (the log-sum inequality), so this is a lower bound of the full KL(P ‖ Q), short of
/// it by exactly p_tail · KL(P restricted to the tail ‖ Q restricted to the tail).
public struct TopKLogProbs: ReferenceRow {
    let bytes: UnsafeRawBufferPointer
    let k: Int

    /// Bytes of a row: 8 + 8k.
    public static func rowBytes(k: Int) -> Int { 8 + 8 * k }

    private func float(_ offset: Int) -> Float {
        Float(bitPattern: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian)
    }

    /// The target's log-probability.
    var targetLogProb: Float { float(0) }
    /// log of the mass outside the top k.
    var tailLogMass: Float { float(4) }
    /// Entry `j`'s token id.
    func id(_ j: Int) -> Int32 { Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 + 4 * j, as: Int32.self)) }
    /// Entry `j`'s log-probability.
    func logProb(_ j: Int) -> Float { float(8 + 4 * k + 4 * j) }

    /// Encodes logits `row` [V] predicting `target` into `out` (`rowBytes(k:)`); false for a
    /// row with no finite maximum or a NaN.
    static func encode(_ row: UnsafeBufferPointer<Float>, target: Int, k: Int, into out: UnsafeMutableRawBufferPointer) -> Bool {
        let ids = out.baseAddress!.advanced(by: 8).bindMemory(to: Int32.self, capacity: k)
        let lps = out.baseAddress!.advanced(by: 8 + 4 * k).bindMemory(to: Float.self, capacity: k)
        guard let tail = TopKLogSoftmax.reduce(row, k: k, ids: ids, logprobs: lps) else { return false }
        for j in 0 ..< k { ids[j] = ids[j].littleEndian; lps[j] = Float(bitPattern: lps[j].bitPattern.littleEndian) }
        let target = Float(-LogitsRow(row).negativeLogLikelihood(row, token: target))
        out.storeBytes(of: target.bitPattern.littleEndian, toByteOffset: 0, as: UInt32.self)
        out.storeBytes(of: tail.bitPattern.littleEndian, toByteOffset: 4, as: UInt32.self)
        return true
    }

    /// Whether every id is a token of a vocabulary of `v` or padding.
    func idsValid(vocabularySize v: Int) -> Bool {
        (0 ..< k).allSatisfy { j in let i = id(j); return (i >= 0 && Int(i) < v) || i == TopKLogSoftmax.paddingID }
    }

    func compare(_ q: UnsafeBufferPointer<Float>, target: Int) -> RowComparison {
        let r = LogitsRow(q)
        let logNorm = Double(r.max) + log(r.sum)
        var kld = 0.0
        var top: [Int] = []
        for j in 0 ..< k where id(j) != TopKLogSoftmax.paddingID {
            let i = Int(id(j)), lp = Double(logProb(j))
            top.append(i)
            kld += exp(lp) * (lp - (Double(q[i]) - logNorm))
        }
        // Q's mass outside the top k, summed directly (1 − Σ top would cancel).
        top.sort()
        var rest = 0.0, next = 0
        for (i, v) in q.enumerated() {
            if next < top.count, top[next] == i {
                while next < top.count, top[next] == i { next += 1 }
                continue
            }
            rest += Double(expf(v - r.max))
        }
        let logQTail = log(max(rest / r.sum, TopKLogSoftmax.minimumTailMass))
        let tail = Double(tailLogMass)
        kld += exp(tail) * (tail - logQTail)
        return RowComparison(q: q, qRow: r, target: target, baseLogProb: targetLogProb, kld: kld, baseTop: Int(id(0)))
    }
}
