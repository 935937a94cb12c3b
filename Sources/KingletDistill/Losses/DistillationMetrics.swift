import Foundation
import KingletTraining

/// Evaluation against the teacher, per row: the student's cross-entropy on the teacher's token
/// (the `HeadLoss` result), KL(teacher ‖ student) over the top-k + tail buckets at T = 1, and
/// whether the student's most likely token is the teacher's.
///
///   kl, agree  [N]  written per row (a row without teacher data gets NaN / −1)
struct DistillationEvalLoss: HeadLoss {
    let targets: UnsafePointer<Int32>
    let weights: UnsafePointer<Float>
    let teacher: TeacherTargetsView
    let kl: UnsafeMutablePointer<Double>
    let agree: UnsafeMutablePointer<Double>

    func weight(of r: Int) -> Float { weights[r] }

    func row(_ r: Int, logits z: UnsafeMutablePointer<Float>, vocab: Int, gradient: Bool) -> (loss: Double, weight: Double) {
        let w = weights[r]
        kl[r] = .nan
        agree[r] = -1
        guard w != 0 else { return (0, 0) }
        let k = teacher.k, ids = teacher.ids + r * k, lps = teacher.logprobs + r * k
        var argmax = 0
        for j in 1 ..< vocab where z[j] > z[argmax] { argmax = j }
        let m = z[argmax]
        let zTarget = Double(z[Int(targets[r])])
        let sum = VectorMath.expShifted(z, vocab, shift: m)   // z[j] ← exp(z_j − m)
        let ce = log(sum) + Double(m) - zTarget
        if teacher.present[r] {
            let buckets = StudentBuckets(exponentials: z, vocab: vocab, ids: ids, k: k)
            let q = buckets.top + [buckets.tail]
            var p = [Double](repeating: 0, count: k + 1)
            var pSum = 0.0, best = -1, bestLP = -Double.infinity
            for i in 0 ..< k where ids[i] >= 0 {
                p[i] = lps[i].isFinite ? exp(Double(lps[i])) : 0
                pSum += p[i]
                if Double(lps[i]) > bestLP { bestLP = Double(lps[i]); best = Int(ids[i]) }
            }
            p[k] = exp(Double(teacher.tailLogMass[r]))
            pSum += p[k]
            for b in 0 ... k { p[b] /= pSum }
            var g = [Double](repeating: 0, count: k + 1)
            kl[r] = Divergence.forwardKL.evaluate(p: p, q: q, buckets: k + 1, beta: 0, gradient: &g)
            agree[r] = argmax == best ? 1 : 0
        }
        return (ce, Double(w))
    }
}
