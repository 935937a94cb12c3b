import Foundation

/// Rotary position embedding tables and application.
///
/// Angles follow ggml: θ₀ = position, θᵢ₊₁ = θᵢ · base^(−2/n), accumulated in Float, so that the
/// rotated vectors match llama.cpp's to the last bit as far as possible.
public enum RoPEStyle: Sendable {
    /// Rotate adjacent pairs (x[2i], x[2i+1]) — GGUF llama (weights are pre-permuted by the converter).
    case normal
    /// Rotate x[i] with x[i + n/2] — GPT-NeoX, Gemma, Qwen.
    case neox
}

/// Shared with training (`package`): its rotation tables and rotations are these.
package struct RoPE {
    package let dims: Int      // rotated dimensions per head (≤ Dh)
    let base: Float
    let style: RoPEStyle
    var scaling: RoPEScaling = .none

    package init(dims: Int, base: Float, style: RoPEStyle) {
        self.dims = dims
        self.base = base
        self.style = style
    }

    init(dims: Int, base: Float, style: RoPEStyle, scaling: RoPEScaling) {
        self.init(dims: dims, base: base, style: style)
        self.scaling = scaling
    }

    /// cos/sin for one position: [dims/2] each.
    package func angles(position: Int, cos c: UnsafeMutablePointer<Float>, sin s: UnsafeMutablePointer<Float>) {
        let thetaScale = powf(base, -2.0 / Float(dims))
        var theta = Float(position)
        for i in 0 ..< dims / 2 {
            let a = scaling.angle(theta, pair: i)
            c[i] = cosf(a) * scaling.magnitude
            s[i] = sinf(a) * scaling.magnitude
            theta *= thetaScale
        }
    }

    /// Rotates `heads` heads of size `headSize` in place at one position.
    /// v: [heads, headSize]; c, s: [dims/2].
    package func apply(_ v: UnsafeMutablePointer<Float>, heads: Int, headSize: Int,
               cos c: UnsafePointer<Float>, sin s: UnsafePointer<Float>) {
        for h in 0 ..< heads {
            let x = v + h * headSize
            switch style {
            case .normal:
                for i in 0 ..< dims / 2 {
                    let a = x[2 * i], b = x[2 * i + 1]
                    x[2 * i] = a * c[i] - b * s[i]
                    x[2 * i + 1] = a * s[i] + b * c[i]
                }
            case .neox:
                let half = dims / 2
                for i in 0 ..< half {
                    let a = x[i], b = x[i + half]
                    x[i] = a * c[i] - b * s[i]
                    x[i + half] = a * s[i] + b * c[i]
                }
            }
        }
    }
}

/// RoPE for every layer, where layers may differ in base (Gemma 3: 10⁶ on global layers, 10⁴ on
/// sliding ones) and frequency scale: one `RoPE` per distinct pair, their angles computed once per batch.
struct LayerRoPE {
    let ropes: [RoPE]
    let ropeOfLayer: [Int]  // [L] index into `ropes`

    /// cos and sin of every batch row for every distinct `RoPE`: [ropes, T, dims/2] each.
    struct Angles {
        let cos: UnsafeMutablePointer<Float>, sin: UnsafeMutablePointer<Float>
        let rows: Int
    }

    /// `scaling` applies to every layer, except that sliding-window layers keep a frequency scale
    /// of 1 (llama.cpp's `rope_freq_scale_train_swa`: Gemma 3's linear scaling is for its global
    /// layers only); the factors and the magnitude apply to all.
    init(_ c: ModelConfig, style: RoPEStyle, scaling: RoPEScaling = .none) {
        var ropes: [RoPE] = [], index: [Int] = []
        for l in 0 ..< c.layerCount {
            let base = c.ropeFreqBase(layer: l)
            var s = scaling
            if c.slidingWindow(layer: l) != nil { s.frequencyScale = 1 }
            if let i = ropes.firstIndex(where: { $0.base == base && $0.scaling.frequencyScale == s.frequencyScale }) {
                index.append(i)
                continue
            }
            index.append(ropes.count)
            ropes.append(RoPE(dims: c.ropeDimensionCount, base: base, style: style, scaling: s))
        }
        self.ropes = ropes
        ropeOfLayer = index
    }

    /// The angles of the batch's positions, in scratch buffers "cos" and "sin".
    func angles(_ layout: BatchLayout, _ scratch: ScratchBuffers) -> Angles {
        let T = layout.rowCount, half = (ropes.first?.dims ?? 0) / 2
        let a = Angles(cos: scratch("cos", ropes.count * T * half), sin: scratch("sin", ropes.count * T * half), rows: T)
        for (i, rope) in ropes.enumerated() {
            let o = i * T * half
            layout.forEachRow { r, position, _ in
                rope.angles(position: position, cos: a.cos + o + r * half, sin: a.sin + o + r * half)
            }
        }
        return a
    }

    /// Rotates the queries and keys of every row (or of `rows`) with layer `l`'s base.
    /// q: [T, H·Dh]; k: [T, Hkv·Dh].
    func apply(layer l: Int, q: UnsafeMutablePointer<Float>, heads: Int, k: UnsafeMutablePointer<Float>, kvHeads: Int,
               headSize: Int, angles a: Angles, rows: Range<Int>? = nil) {
        let rope = ropes[ropeOfLayer[l]]
        let half = rope.dims / 2
        let o = ropeOfLayer[l] * a.rows * half
        for r in rows ?? 0 ..< a.rows {
            let c = a.cos + o + r * half, s = a.sin + o + r * half
            rope.apply(q + r * heads * headSize, heads: heads, headSize: headSize, cos: c, sin: s)
            rope.apply(k + r * kvHeads * headSize, heads: kvHeads, headSize: headSize, cos: c, sin: s)
        }
    }
}
