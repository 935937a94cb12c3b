import Foundation
import KingletKernels

/// Causal grouped-query self-attention over B sequences of T tokens.
///
///   qkv, dqkv  [N, (H + 2·Hkv)·Dh]  per row: q heads, then k heads, then v heads (post-RoPE)
///   att        [B, H, T, T]          softmax probabilities, saved for the backward (row t uses 0...t)
///   y, dy      [N, H·Dh]             attention output per query head
/// Query head h reads key/value head h / (H / Hkv).
struct AttentionShape {
    let batch: Int      // B
    let length: Int     // T
    let heads: Int      // H
    let kvHeads: Int    // Hkv
    let headSize: Int   // Dh

    var rowStride: Int { (heads + 2 * kvHeads) * headSize }
    var kOffset: Int { heads * headSize }
    var vOffset: Int { (heads + kvHeads) * headSize }
    var group: Int { heads / kvHeads }
    var scale: Float { 1 / Float(headSize).squareRoot() }
}

enum AttentionOp {
    static func forward(y: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>,
                        qkv: UnsafePointer<Float>, shape s: AttentionShape, pool: ThreadPool?) {
        let T = s.length, Dh = s.headSize, stride = s.rowStride
        Parallel.rows(s.batch * s.heads, pool: pool) { range in
            for bh in range {
                let b = bh / s.heads, h = bh % s.heads, kvh = h / s.group
                let base = qkv + b * T * stride
                let attBH = att + bh * T * T
                for t in 0 ..< T {
                    let q = base + t * stride + h * Dh
                    let row = attBH + t * T
                    for u in 0 ... t {
                        row[u] = VectorMath.dot(q, base + u * stride + s.kOffset + kvh * Dh, Dh) * s.scale
                    }
                    let m = VectorMath.max(row, t + 1)
                    let sum = VectorMath.expShifted(row, t + 1, shift: m)
                    VectorMath.scale(row, t + 1, by: Float(1 / sum))
                    if t + 1 < T { (row + t + 1).update(repeating: 0, count: T - t - 1) }
                    let out = y + (b * T + t) * s.heads * Dh + h * Dh
                    out.update(repeating: 0, count: Dh)
                    for u in 0 ... t {
                        VectorMath.axpy(row[u], base + u * stride + s.vOffset + kvh * Dh, out, Dh)
                    }
                }
            }
        }
    }

    /// dqkv is overwritten. One task per (sequence, key/value head) owns that head's dk and dv and
    /// the dq of its query heads, so there are no races and the summation order is fixed.
    static func backward(dqkv: UnsafeMutablePointer<Float>, dy: UnsafePointer<Float>, att: UnsafePointer<Float>,
                         qkv: UnsafePointer<Float>, shape s: AttentionShape, pool: ThreadPool?) {
        let T = s.length, Dh = s.headSize, stride = s.rowStride
        Parallel.rows(s.batch * s.kvHeads, pool: pool) { range in
            let datt = UnsafeMutablePointer<Float>.allocate(capacity: T)
            defer { datt.deallocate() }
            for bk in range {
                let b = bk / s.kvHeads, kvh = bk % s.kvHeads
                let base = qkv + b * T * stride, dbase = dqkv + b * T * stride
                for t in 0 ..< T {
                    (dbase + t * stride + s.kOffset + kvh * Dh).update(repeating: 0, count: Dh)
                    (dbase + t * stride + s.vOffset + kvh * Dh).update(repeating: 0, count: Dh)
                }
                for h in kvh * s.group ..< (kvh + 1) * s.group {
                    let attBH = att + (b * s.heads + h) * T * T
                    for t in 0 ..< T {
                        let row = attBH + t * T
                        let dyt = dy + (b * T + t) * s.heads * Dh + h * Dh
                        // datt[u] = dy_t · v_u ;  dv_u += att[t,u] · dy_t
                        var weighted: Float = 0
                        for u in 0 ... t {
                            let d = VectorMath.dot(dyt, base + u * stride + s.vOffset + kvh * Dh, Dh)
                            datt[u] = d
                            weighted += d * row[u]
                            VectorMath.axpy(row[u], dyt, dbase + u * stride + s.vOffset + kvh * Dh, Dh)
                        }
                        // softmax backward, then through the scaled dot products
                        let dq = dbase + t * stride + h * Dh
                        dq.update(repeating: 0, count: Dh)
                        let q = base + t * stride + h * Dh
                        for u in 0 ... t {
                            let ds = row[u] * (datt[u] - weighted) * s.scale
                            VectorMath.axpy(ds, base + u * stride + s.kOffset + kvh * Dh, dq, Dh)
                            VectorMath.axpy(ds, q, dbase + u * stride + s.kOffset + kvh * Dh, Dh)
                        }
                    }
                }
            }
        }
    }
}
