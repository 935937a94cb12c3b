// The kernels for attention over a KV cache stored in ggml blocks (Q8_0 or Q4_0 keys and values),
// one entry per cache type in each dispatch table (`KernelTable.kvBlocks(_:)`), as llama.cpp
// computes it: a key or value row is stored with its type's quantizer, the query is quantized to
// the key type's vec_dot partner (Q8_0) and meets each key in the integer dot product, and value
// rows are dequantized and accumulated in f32 (its flash-attention path).
//
// Legend: Dh = head size (a multiple of 32), nb = Dh / 32 blocks; row p of a run of keys or
// values starts `stride` bytes after row p − 1.
import CKingletKernels

/// The kernels for one KV cache block type on one ISA.
public struct KVBlockKernels: Sendable {
    /// The cache's element type (`.q8_0` or `.q4_0`).
    public let type: QuantType
    /// Which implementation this entry uses ("avx512-vnni", "avx2", "neon-dotprod", "reference", …).
    public let implementation: String
    let storeFn: @Sendable (UnsafePointer<Float>, UnsafeMutableRawPointer, Int) -> Void
    let quantizeQueryFn: @Sendable (UnsafePointer<Float>, UnsafeMutableRawPointer, Int) -> Void
    let scoresFn: @Sendable (UnsafeRawPointer, UnsafeRawPointer, Int, Int, Int, UnsafeMutablePointer<Float>) -> Void
    let accumulateFn: @Sendable (UnsafePointer<Float>, UnsafeRawPointer, Int, Int, Int, UnsafeMutablePointer<Float>) -> Void

    /// The element types a KV cache may be stored in as blocks.
    public static let cacheTypes: [QuantType] = [.q8_0, .q4_0]

    /// Stores `count` (a multiple of 32) floats as `type` blocks. x: [count]; out: [count / 32 blocks].
    @inline(__always)
    public func store(_ x: UnsafePointer<Float>, into out: UnsafeMutableRawPointer, count: Int) { storeFn(x, out, count) }

    /// Quantizes a query head to Q8_0, the keys' dot partner. q: [Dh]; out: [nb] 34-byte blocks.
    @inline(__always)
    public func quantizeQuery(_ q: UnsafePointer<Float>, into out: UnsafeMutableRawPointer, headSize: Int) {
        quantizeQueryFn(q, out, headSize)
    }

    /// scores[p] = K_p · q for p in 0 ..< count (unscaled). q: [nb] Q8_0 blocks; keys: row 0 of
    /// the run; scores: [count].
    @inline(__always)
    public func scores(query q: UnsafeRawPointer, keys: UnsafeRawPointer, stride: Int, count: Int, headSize: Int,
                       into scores: UnsafeMutablePointer<Float>) {
        scoresFn(q, keys, stride, count, headSize / 32, scores)
    }

    /// out[i] += Σ_p w[p]·V_p[i] for p in 0 ..< count. w: [count]; values: row 0 of the run; out: [Dh].
    @inline(__always)
    public func accumulate(weights w: UnsafePointer<Float>, values: UnsafeRawPointer, stride: Int, count: Int,
                           headSize: Int, into out: UnsafeMutablePointer<Float>) {
        accumulateFn(w, values, stride, count, headSize / 32, out)
    }

    /// An entry backed by C kernels: `quantizeQ8` is the table's Q8_0 activation quantizer (used
    /// for the query, and to store Q8_0 rows as ggml's `from_float` does); Q4_0 rows are stored by
    /// the reference quantizer (ggml's one Q4_0 rounding).
    static func c(_ type: QuantType, _ implementation: String, quantizeQ8: kk_quantize_fn,
                  scores: kk_kv_scores_fn, accumulate: kk_kv_accum_fn, rounding: ActivationRounding) -> KVBlockKernels {
        let reference = KVBlockKernels.reference(type, rounding: rounding)
        let q8: @Sendable (UnsafePointer<Float>, UnsafeMutableRawPointer, Int) -> Void = { x, out, k in quantizeQ8(x, out, Int64(k)) }
        let scoresFn: @Sendable (UnsafeRawPointer, UnsafeRawPointer, Int, Int, Int, UnsafeMutablePointer<Float>) -> Void = {
            q, k, stride, len, nb, s in scores(q, k, Int64(stride), Int64(len), Int64(nb), s)
        }
        let accumulateFn: @Sendable (UnsafePointer<Float>, UnsafeRawPointer, Int, Int, Int, UnsafeMutablePointer<Float>) -> Void = {
            w, v, stride, len, nb, out in accumulate(w, v, Int64(stride), Int64(len), Int64(nb), out)
        }
        return KVBlockKernels(
            type: type, implementation: implementation, storeFn: type == .q8_0 ? q8 : reference.storeFn,
            quantizeQueryFn: q8, scoresFn: scoresFn, accumulateFn: accumulateFn)
    }
}
