/// The orthonormal Walsh–Hadamard rotation llama.cpp applies to queries, keys and values when
/// the KV cache is block-quantized (`attn_rot_k/v`, on by default there): rotating a head spreads
/// its few large channels over all of them, so Q4_0's 16 levels per block lose far less. Scores
/// are unchanged (H is orthogonal: Hq·Hk = q·k) and the output is rotated back (H·H = I), so only
/// the quantization error changes. Measured on SmolLM2 (prose.txt, KLD against llama.cpp's f16
/// distributions): q4_0 KLD 0.137 → 0.042, q8_0 0.0043 → 0.0036 (llama.cpp: 0.043 and 0.0036).
enum HeadRotation {
    /// Whether a head of `headSize` elements is rotated: powers of two from 64, as llama.cpp.
    static func applies(headSize: Int) -> Bool { headSize >= 64 && headSize & (headSize - 1) == 0 }

    /// Rotates `x[0 ..< n]` in place by the normalized Walsh–Hadamard matrix (its own inverse).
    static func rotate(_ x: UnsafeMutablePointer<Float>, count n: Int) {
        var h = 1
        while h < n {
            var i = 0
            while i < n {
                for j in i ..< i + h {
                    let a = x[j], b = x[j + h]
                    x[j] = a + b
                    x[j + h] = a - b
                }
                i += 2 * h
            }
            h *= 2
        }
        let scale = 1 / Float(n).squareRoot()
        for i in 0 ..< n { x[i] *= scale }
    }
}
