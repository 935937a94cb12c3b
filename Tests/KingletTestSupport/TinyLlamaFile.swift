import KingletGGUF

/// A tiny llama GGUF written by our writer with seeded random F32 weights, for tests that run a
/// real forward pass without a real model. D 16, 4 heads (2 KV) of 4, FFN 24, vocabulary 11, 2 layers.
public enum TinyLlamaFile {
    public static let D = 16, H = 4, Hkv = 2, Dh = 4, F = 24, V = 11, L = 2
    public static let ropeBase: Float = 10000, eps: Float = 1e-5

    /// The file and every tensor's values by a short name ("emb", "blk.0.q", …, "on", "out").
    /// `outputScale`: the untied head's weight range (larger gives sharper distributions).
    public static func build(tied: Bool, outputScale: Float = 0.3) -> (GGUFWriter, [String: [Float]]) {
        var w = GGUFWriter()
        var tensors: [String: [Float]] = [:]
        var s: UInt64 = 1
        func make(_ name: String, _ count: Int, scale: Float = 0.3, offset: Float = 0) -> [Float] {
            let v = (0 ..< count).map { _ -> Float in
                s = s &* 6364136223846793005 &+ 1442695040888963407
                return offset + scale * (Float(s >> 40) / Float(1 << 24) * 2 - 1)
            }
            tensors[name] = v
            return v
        }
        w.set("general.architecture", "llama")
        w.set("llama.block_count", uint32: L)
        w.set("llama.embedding_length", uint32: D)
        w.set("llama.feed_forward_length", uint32: F)
        w.set("llama.attention.head_count", uint32: H)
        w.set("llama.attention.head_count_kv", uint32: Hkv)
        w.set("llama.context_length", uint32: 64)
        w.set("llama.rope.freq_base", float32: ropeBase)
        w.set("llama.attention.layer_norm_rms_epsilon", float32: eps)
        w.set("llama.vocab_size", uint32: V)
        w.addTensor("token_embd.weight", dims: [D, V], floats: make("emb", V * D, scale: 1))
        for l in 0 ..< L {
            let p = "blk.\(l)."
            w.addTensor(p + "attn_norm.weight", dims: [D], floats: make(p + "an", D, scale: 0.2, offset: 1))
            w.addTensor(p + "attn_q.weight", dims: [D, H * Dh], floats: make(p + "q", H * Dh * D))
            w.addTensor(p + "attn_k.weight", dims: [D, Hkv * Dh], floats: make(p + "k", Hkv * Dh * D))
            w.addTensor(p + "attn_v.weight", dims: [D, Hkv * Dh], floats: make(p + "v", Hkv * Dh * D))
            w.addTensor(p + "attn_output.weight", dims: [H * Dh, D], floats: make(p + "o", D * H * Dh))
            w.addTensor(p + "ffn_norm.weight", dims: [D], floats: make(p + "fn", D, scale: 0.2, offset: 1))
            w.addTensor(p + "ffn_gate.weight", dims: [D, F], floats: make(p + "g", F * D))
            w.addTensor(p + "ffn_up.weight", dims: [D, F], floats: make(p + "u", F * D))
            w.addTensor(p + "ffn_down.weight", dims: [F, D], floats: make(p + "d", D * F))
        }
        w.addTensor("output_norm.weight", dims: [D], floats: make("on", D, scale: 0.2, offset: 1))
        if !tied { w.addTensor("output.weight", dims: [D, V], floats: make("out", V * D, scale: outputScale)) }
        return (w, tensors)
    }
}
