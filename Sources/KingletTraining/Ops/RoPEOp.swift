import Foundation
import KingletArchitectures

/// Rotary position embedding for training: rotates adjacent pairs (x[2i], x[2i+1]) of each head
/// (the GGUF llama layout), positions 0..<T within each sequence of the batch.
///
/// Angles and rotation are the inference engine's own `RoPE` (θ accumulated in Float,
/// θᵢ₊₁ = θᵢ · base^(−2/dims)), so a trained model's logits match `kinglet run`'s.
///
///   table  [T, dims/2] cos, sin and −sin
///   v      rows of [heads, Dh] at stride `rowStride` floats, N = B·T rows
struct RoPETable {
    let length: Int      // T
    let rope: RoPE
    let cos: [Float]     // [T, dims/2]
    let sin: [Float]     // [T, dims/2]
    /// −sin: the backward rotates by −θ (the transpose of a rotation is its inverse).
    let negativeSin: [Float]

    var dims: Int { rope.dims }

    init(length: Int, dims: Int, base: Float) {
        self.length = length
        let rope = RoPE(dims: dims, base: base, style: .normal)
        self.rope = rope
        let half = dims / 2
        var c = [Float](repeating: 0, count: length * half)
        var s = c
        c.withUnsafeMutableBufferPointer { cb in
            s.withUnsafeMutableBufferPointer { sb in
                for t in 0 ..< length {
                    rope.angles(position: t, cos: cb.baseAddress! + t * half, sin: sb.baseAddress! + t * half)
                }
            }
        }
        cos = c
        sin = s
        negativeSin = s.map { -$0 }
    }
}

enum RoPEOp {
    /// Rotates in place by +θ (forward) or −θ (backward).
    static func apply(_ v: UnsafeMutablePointer<Float>, rows: Int, rowStride: Int, heads: Int, headSize: Int,
                      table: RoPETable, inverse: Bool) {
        let half = table.dims / 2
        table.cos.withUnsafeBufferPointer { cb in
            (inverse ? table.negativeSin : table.sin).withUnsafeBufferPointer { sb in
                for r in 0 ..< rows {
                    let t = r % table.length
                    table.rope.apply(v + r * rowStride, heads: heads, headSize: headSize,
                                     cos: cb.baseAddress! + t * half, sin: sb.baseAddress! + t * half)
                }
            }
        }
    }
}
