import CKingletKernels

/// Attention's softmax, shared by every KV cache precision (C on every ISA: the same loop the F16
/// kernel runs, and a tenth of a prompt's time when Swift ran it).
public enum AttentionSoftmax {
    /// scores[i] ← exp(s_i − max s) with s_i = scores[i]·scale, soft-capped to cap·tanh(s_i / cap)
    /// when `softcap` is given; returns 1 / Σ exp (summed in Double, as ggml). scores: [n].
    @inline(__always)
    public static func numerators(_ scores: UnsafeMutablePointer<Float>, count n: Int, scale: Float, softcap: Float?) -> Float {
        kk_softmax_numerators(scores, Int64(n), scale, softcap ?? 0)
    }
}
