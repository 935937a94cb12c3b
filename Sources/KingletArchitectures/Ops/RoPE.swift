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

struct RoPE {
    let dims: Int      // rotated dimensions per head (≤ Dh)
    let base: Float
    let style: RoPEStyle

    /// cos/sin for one position: [dims/2] each.
    func angles(position: Int, cos c: UnsafeMutablePointer<Float>, sin s: UnsafeMutablePointer<Float>) {
        let thetaScale = powf(base, -2.0 / Float(dims))
        var theta = Float(position)
        for i in 0 ..< dims / 2 {
            c[i] = cosf(theta)
            s[i] = sinf(theta)
            theta *= thetaScale
        }
    }

    /// Rotates `heads` heads of size `headSize` in place at one position.
    /// v: [heads, headSize]; c, s: [dims/2].
    func apply(_ v: UnsafeMutablePointer<Float>, heads: Int, headSize: Int,
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
