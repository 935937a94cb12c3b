import Foundation
import KingletKernels

/// Causal grouped-query self-attention over B sequences of T tokens.
///
///   qkv, dqkv  [N, (H + 2·Hkv)·Dh]  per row: q heads, then k heads, then v heads (post-RoPE)
///   att        [B, H, T, T]          softmax probabilities, saved for the backward (row t uses 0...t; the rest is 0)
///   y, dy      [N, H·Dh]             attention output per query head
/// Query head h reads key/value head h / (H / Hkv). Per head the products are single-threaded
/// GEMMs on strided views of qkv; heads run in parallel.
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
    /// The scale of q·k: the model's (`ModelConfig.queryScale`, 1/√Dh unless the file sets one).
    var scale: Float

    init(batch: Int, length: Int, heads: Int, kvHeads: Int, headSize: Int, scale: Float? = nil) {
        self.batch = batch
        self.length = length
        self.heads = heads
        self.kvHeads = kvHeads
        self.headSize = headSize
        self.scale = scale ?? 1 / Float(headSize).squareRoot()
    }
}

enum AttentionOp {
    static func forward(y: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>,
                        qkv: UnsafePointer<Float>, shape s: AttentionShape, pool: ThreadPool?) {
        let T = s.length, Dh = s.headSize, stride = s.rowStride, yStride = s.heads * Dh
        Parallel.rows(s.batch * s.heads, pool: pool) { range in
            for bh in range {
                let b = bh / s.heads, h = bh % s.heads, kvh = h / s.group
                let base = qkv + b * T * stride
                let p = att + bh * T * T
                // scores [T, T] = Q_h · K_kvhᵀ
                Sgemm.gemm(transA: false, transB: true, m: T, n: T, k: Dh, a: base + h * Dh, lda: stride,
                           b: base + s.kOffset + kvh * Dh, ldb: stride, c: p, ldc: T, accumulate: false, pool: nil)
                for t in 0 ..< T {
                    // the inference engine's softmax: exp(s·scale − max), 1/Σ summed in Double
                    let row = p + t * T
                    let inverseSum = AttentionSoftmax.numerators(row, count: t + 1, scale: s.scale, softcap: nil)
                    VectorMath.scale(row, t + 1, by: inverseSum)
                    if t + 1 < T { (row + t + 1).update(repeating: 0, count: T - t - 1) }
                }
                // y_h [T, Dh] = P · V_kvh
                Sgemm.gemm(transA: false, transB: false, m: T, n: Dh, k: T, a: p, lda: T,
                           b: base + s.vOffset + kvh * Dh, ldb: stride, c: y + b * T * yStride + h * Dh, ldc: yStride,
                           accumulate: false, pool: nil)
            }
        }
    }

    /// dqkv is overwritten. One task per (sequence, key/value head) owns that head's dk and dv and
    /// the dq of its query heads, so there are no races and the summation order is fixed.
    static func backward(dqkv: UnsafeMutablePointer<Float>, dy: UnsafePointer<Float>, att: UnsafePointer<Float>,
                         qkv: UnsafePointer<Float>, shape s: AttentionShape, pool: ThreadPool?) {
        let T = s.length, Dh = s.headSize, stride = s.rowStride, yStride = s.heads * Dh
        Parallel.rows(s.batch * s.kvHeads, pool: pool) { range in
            let ds = UnsafeMutablePointer<Float>.allocate(capacity: T * T)   // [T, T] dP, then dS
            defer { ds.deallocate() }
            for bk in range {
                let b = bk / s.kvHeads, kvh = bk % s.kvHeads
                let base = qkv + b * T * stride, dbase = dqkv + b * T * stride
                let k = base + s.kOffset + kvh * Dh, v = base + s.vOffset + kvh * Dh
                let dk = dbase + s.kOffset + kvh * Dh, dv = dbase + s.vOffset + kvh * Dh
                for (i, h) in (kvh * s.group ..< (kvh + 1) * s.group).enumerated() {
                    let p = att + (b * s.heads + h) * T * T
                    let dyh = dy + b * T * yStride + h * Dh
                    // dV (+)= Pᵀ · dY_h ;  dP = dY_h · Vᵀ
                    Sgemm.gemm(transA: true, transB: false, m: T, n: Dh, k: T, a: p, lda: T, b: dyh, ldb: yStride,
                               c: dv, ldc: stride, accumulate: i > 0, pool: nil)
                    Sgemm.gemm(transA: false, transB: true, m: T, n: T, k: Dh, a: dyh, lda: yStride, b: v, ldb: stride,
                               c: ds, ldc: T, accumulate: false, pool: nil)
                    // softmax backward through the scale: dS = P ⊙ (dP − Σ P⊙dP) · scale
                    for t in 0 ..< T {
                        let pr = p + t * T, dr = ds + t * T
                        let weighted = VectorMath.dot(pr, dr, t + 1)
                        for u in 0 ... t { dr[u] = pr[u] * (dr[u] - weighted) * s.scale }
                        if t + 1 < T { (dr + t + 1).update(repeating: 0, count: T - t - 1) }
                    }
                    // dQ_h = dS · K ;  dK (+)= dSᵀ · Q_h
                    Sgemm.gemm(transA: false, transB: false, m: T, n: Dh, k: T, a: ds, lda: T, b: k, ldb: stride,
                               c: dbase + h * Dh, ldc: stride, accumulate: false, pool: nil)
                    Sgemm.gemm(transA: true, transB: false, m: T, n: Dh, k: T, a: ds, lda: T, b: base + h * Dh, ldb: stride,
                               c: dk, ldc: stride, accumulate: i > 0, pool: nil)
                }
            }
        }
    }
}
