import Foundation

/// The distance D(teacher ‖ student) a distillation loss minimizes, over k + 1 buckets: the
/// teacher's top-k tokens and one tail bucket holding all the remaining probability.
public enum Divergence: String, CaseIterable, Sendable, Codable {
    /// KL(p ‖ q): mode-covering, the classic Hinton loss (default).
    case forwardKL = "forward-kl"
    /// KL(q ‖ p): mode-seeking.
    case reverseKL = "reverse-kl"
    /// Generalized Jensen–Shannon with weight β: β·KL(p ‖ m) + (1−β)·KL(q ‖ m), m = β·p + (1−β)·q.
    case jsd

    /// D and ∂D/∂q_b for bucket distributions p (teacher) and q (student), each summing to 1.
    /// Buckets with p = 0 contribute no forward-KL mass; q is clamped away from 0.
    func evaluate(p: UnsafePointer<Double>, q: UnsafePointer<Double>, buckets: Int, beta: Double,
                  gradient g: UnsafeMutablePointer<Double>) -> Double {
        let tiny = 1e-30
        var d = 0.0
        switch self {
        case .forwardKL:
            for b in 0 ..< buckets {
                let qb = max(q[b], tiny)
                if p[b] > 0 { d += p[b] * (log(p[b]) - log(qb)) }
                g[b] = -p[b] / qb
            }
        case .reverseKL:
            for b in 0 ..< buckets {
                let qb = max(q[b], tiny), pb = max(p[b], tiny)
                d += qb * (log(qb) - log(pb))
                g[b] = log(qb) - log(pb) + 1
            }
        case .jsd:
            for b in 0 ..< buckets {
                let qb = max(q[b], tiny)
                let m = max(beta * p[b] + (1 - beta) * qb, tiny)
                if p[b] > 0 { d += beta * p[b] * (log(p[b]) - log(m)) }
                d += (1 - beta) * qb * (log(qb) - log(m))
                g[b] = (1 - beta) * (log(qb) - log(m))
            }
        }
        return d
    }
}
