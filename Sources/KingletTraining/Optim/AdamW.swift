import Foundation
import KingletKernels

/// AdamW (Loshchilov & Hutter): Adam moments with bias correction and decoupled weight decay,
/// applied only to tensors the layout marks as decaying (matrices, not norm gains).
///
///   parameters, gradients, m, v  [P], same layout
public struct AdamWSettings: Sendable, Equatable, Codable {
    public var beta1: Float = 0.9
    public var beta2: Float = 0.95
    public var epsilon: Float = 1e-8
    public var weightDecay: Float = 0.1

    public init() {}
}

final class AdamW {
    let settings: AdamWSettings
    let m: FloatBuffer   // [P] first moment
    let v: FloatBuffer   // [P] second moment
    /// Updates applied so far (t in the bias correction).
    var updates: Int = 0

    init(parameterCount: Int, settings: AdamWSettings) {
        self.settings = settings
        m = FloatBuffer(parameterCount)
        v = FloatBuffer(parameterCount)
    }

    /// One update with learning rate `lr`; `gradScale` multiplies every gradient first (clipping).
    /// Tensors before `from` (a frozen prefix, `TrainableLlama.trainableOffset`) are left as they are.
    func update(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, layout: ParameterLayout,
                lr: Float, gradScale: Float, from: Int = 0, pool: ThreadPool?) {
        updates += 1
        let s = settings
        let c1 = 1 - powf(s.beta1, Float(updates)), c2 = 1 - powf(s.beta2, Float(updates))
        let m = m.pointer, v = v.pointer
        for t in layout.tensors where t.offset >= from {
            let decay = t.decays ? lr * s.weightDecay : 0
            Parallel.rows(t.count, pool: t.count >= 1 << 16 ? pool : nil) { range in
                for i in range.lowerBound + t.offset ..< range.upperBound + t.offset {
                    let grad = g[i] * gradScale
                    let mi = s.beta1 * m[i] + (1 - s.beta1) * grad
                    let vi = s.beta2 * v[i] + (1 - s.beta2) * grad * grad
                    m[i] = mi
                    v[i] = vi
                    let step = (mi / c1) / ((vi / c2).squareRoot() + s.epsilon)
                    p[i] -= lr * step + decay * p[i]
                }
            }
        }
    }
}
