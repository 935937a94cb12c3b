import Foundation
import KingletTraining

/// The distillation objective: loss = (1−α)·CE(data) + α·T²·D(teacher ‖ student), D over the
/// teacher's top-k buckets plus a tail bucket (so the truncated divergence stays ≥ 0), both sides
/// at temperature T (the teacher's k+1 buckets are re-tempered as p_b^(1/T), the tail as one
/// bucket). With T = 1 the buckets are exact.
public struct DistillationSettings: Sendable, Codable, Equatable {
    public var alpha: Double = 0.5
    public var temperature: Double = 1
    public var divergence: Divergence = .forwardKL
    /// β of the generalized JSD.
    public var beta: Double = 0.5

    public init(alpha: Double = 0.5, temperature: Double = 1, divergence: Divergence = .forwardKL, beta: Double = 0.5) {
        self.alpha = alpha
        self.temperature = temperature
        self.divergence = divergence
        self.beta = beta
    }
}

/// One row's loss and gradient under `DistillationSettings` (a `HeadLoss` for the output head).
/// A row's CE term is scaled by `TeacherTargets.crossEntropyWeight` (c): loss = c·(1−α)·CE +
/// α·T²·D, so an on-policy row (c = 0, the student's own text) learns from the divergence only.
struct DistillationLoss: HeadLoss {
    let settings: DistillationSettings
    let targets: UnsafePointer<Int32>      // [N]
    let weights: UnsafePointer<Float>      // [N]
    let teacher: TeacherTargetsView

    func weight(of r: Int) -> Float { weights[r] }

    func row(_ r: Int, logits z: UnsafeMutablePointer<Float>, vocab: Int, gradient: Bool) -> (loss: Double, weight: Double) {
        let w = weights[r]
        if w == 0 { if gradient { z.update(repeating: 0, count: vocab) }; return (0, 0) }
        let alpha = teacher.present[r] ? settings.alpha : 0
        let ceFactor = (1 - alpha) * Double(teacher.crossEntropyWeight[r])   // c·(1−α); exactly 1−α when c = 1
        let tau = settings.temperature, k = teacher.k
        let target = Int(targets[r])
        let zTarget = Double(z[target])
        // the student's bucket logits, before z is overwritten
        var topLogits = [Double](repeating: 0, count: k)
        let ids = teacher.ids + r * k
        for i in 0 ..< k { topLogits[i] = ids[i] >= 0 ? Double(z[Int(ids[i])]) : -.infinity }  // id −1: unused bucket
        let m = VectorMath.max(z, vocab)

        var tempered: UnsafeMutablePointer<Float>? = nil   // exp((z − m)/T) when T ≠ 1
        defer { tempered?.deallocate() }
        var sumT = 0.0
        if alpha > 0 && tau != 1 {
            let t = UnsafeMutablePointer<Float>.allocate(capacity: vocab)
            let inv = Float(1 / tau)
            for j in 0 ..< vocab { t[j] = z[j] * inv }
            sumT = VectorMath.expShifted(t, vocab, shift: m * inv)
            tempered = t
        }
        let sum1 = VectorMath.expShifted(z, vocab, shift: m)    // z[j] ← exp(z_j − m)
        let logZ = Double(m) + log(sum1)
        let ce = log(sum1) + Double(m) - zTarget   // the same expression as CrossEntropyLoss (α = 0 is bit-identical)
        var kd = 0.0
        var gTail = 0.0, gMean = 0.0
        var gTop = [Double](repeating: 0, count: k), qTop = [Double](repeating: 0, count: k)
        var qNorm = sum1   // the KD part's normalizer of exp(z − m) (T = 1)
        if alpha > 0 {
            // student buckets at temperature T
            let buckets = StudentBuckets(exponentials: tempered ?? z, vocab: vocab, ids: ids, k: k)
            qTop = buckets.top
            let q = qTop + [buckets.tail]
            if tempered != nil { sumT = buckets.total } else { qNorm = buckets.total }
            // teacher buckets, re-tempered and normalized
            let lps = teacher.logprobs + r * k
            var p = [Double](repeating: 0, count: k + 1)
            var pSum = 0.0
            for i in 0 ..< k { p[i] = ids[i] >= 0 && lps[i].isFinite ? exp(Double(lps[i]) / tau) : 0; pSum += p[i] }
            p[k] = exp(Double(teacher.tailLogMass[r]) / tau)
            pSum += p[k]
            for b in 0 ... k { p[b] /= pSum }
            var g = [Double](repeating: 0, count: k + 1)
            kd = settings.divergence.evaluate(p: p, q: q, buckets: k + 1, beta: settings.beta, gradient: &g)
            for b in 0 ... k { gMean += g[b] * q[b] }
            gTail = g[k]
            gTop = Array(g[0 ..< k])
        }
        let loss = ceFactor * ce + alpha * tau * tau * kd
        if gradient {
            // d/dz_j: c(1−α)(softmax_j − [j = target]) + α·T²·(1/T)·q_j·(g_b(j) − ḡ)
            let kdScale = alpha * tau
            if alpha > 0, let t = tempered {
                let inv = 1 / sumT, ceScale = ceFactor / sum1
                for j in 0 ..< vocab {
                    z[j] = Float(Double(w) * (ceScale * Double(z[j]) + kdScale * Double(t[j]) * inv * (gTail - gMean)))
                }
            } else if alpha > 0 {
                let c = Float(Double(w) * (ceFactor / sum1 + kdScale * (gTail - gMean) / qNorm))
                VectorMath.scale(z, vocab, by: c)
            } else {
                VectorMath.scale(z, vocab, by: Float(Double(w) * ceFactor / sum1))
            }
            if alpha > 0 {
                for i in 0 ..< k where ids[i] >= 0 {
                    let j = Int(ids[i])
                    let soft1 = exp(topLogits[i] - logZ)
                    z[j] = Float(Double(w) * (ceFactor * soft1 + kdScale * qTop[i] * (gTop[i] - gMean)))
                }
            }
            z[target] -= Float(Double(w) * ceFactor)
        }
        return (loss, Double(w))
    }
}

/// Raw pointers into a `TeacherTargets` for the concurrent row calls.
struct TeacherTargetsView {
    let k: Int
    let ids: UnsafePointer<Int32>
    let logprobs: UnsafePointer<Float>
    let tailLogMass: UnsafePointer<Float>
    let present: UnsafePointer<Bool>
    let crossEntropyWeight: UnsafePointer<Float>
}

extension TeacherTargets {
    func withView<R>(_ body: (TeacherTargetsView) -> R) -> R {
        ids.withUnsafeBufferPointer { i in logprobs.withUnsafeBufferPointer { l in
            tailLogMass.withUnsafeBufferPointer { t in present.withUnsafeBufferPointer { p in
                crossEntropyWeight.withUnsafeBufferPointer { c in
                    body(TeacherTargetsView(k: k, ids: i.baseAddress!, logprobs: l.baseAddress!, tailLogMass: t.baseAddress!,
                                            present: p.baseAddress!, crossEntropyWeight: c.baseAddress!))
                }
            } }
        } }
    }
}
