import Foundation

/// Rotary position embedding for training: rotates adjacent pairs (x[2i], x[2i+1]) of each head
/// (the GGUF llama layout), positions 0..<T within each sequence of the batch.
///
/// The angles are computed exactly as the inference engine computes them (θ accumulated in Float,
/// θᵢ₊₁ = θᵢ · base^(−2/dims)), so a trained model's logits match `kinglet run`'s.
///
///   table  [T, dims/2] cos and sin
///   v      rows of [heads, Dh] at stride `rowStride` floats, N = B·T rows
struct RoPETable {
    let length: Int      // T
    let dims: Int        // rotated dimensions per head
    let cos: [Float]     // [T, dims/2]
    let sin: [Float]     // [T, dims/2]

    init(length: Int, dims: Int, base: Float) {
        self.length = length
        self.dims = dims
        var c = [Float](repeating: 0, count: length * dims / 2)
        var s = c
        let thetaScale = powf(base, -2.0 / Float(dims))
        for t in 0 ..< length {
            var theta = Float(t)
            for i in 0 ..< dims / 2 {
                c[t * dims / 2 + i] = cosf(theta)
                s[t * dims / 2 + i] = sinf(theta)
                theta *= thetaScale
            }
        }
        cos = c
        sin = s
    }
}

enum RoPEOp {
    /// Rotates in place by +θ (forward) or −θ (backward: the transpose of a rotation is its inverse).
    static func apply(_ v: UnsafeMutablePointer<Float>, rows: Int, rowStride: Int, heads: Int, headSize: Int,
                      table: RoPETable, inverse: Bool) {
        let half = table.dims / 2
        let sign: Float = inverse ? -1 : 1
        table.cos.withUnsafeBufferPointer { cb in
            table.sin.withUnsafeBufferPointer { sb in
                for r in 0 ..< rows {
                    let t = r % table.length
                    let c = cb.baseAddress! + t * half, s = sb.baseAddress! + t * half
                    for h in 0 ..< heads {
                        let x = v + r * rowStride + h * headSize
                        for i in 0 ..< half {
                            let a = x[2 * i], b = x[2 * i + 1], si = sign * s[i]
                            x[2 * i] = a * c[i] - b * si
                            x[2 * i + 1] = a * si + b * c[i]
                        }
                    }
                }
            }
        }
    }
}
