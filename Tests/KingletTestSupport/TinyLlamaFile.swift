import KingletArchitectures
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
        var seeded = SeededTensors()
        func make(_ name: String, _ count: Int, scale: Float = 0.3, offset: Float = 0) -> [Float] {
            seeded.make(name, count, scale: scale, offset: offset)
        }
        ModelConfig(architecture: "llama", layerCount: L, embeddingSize: D, headCount: H, kvHeadCount: Hkv, headSize: Dh,
                    feedForwardSize: F, vocabularySize: V, contextLength: 64, ropeFreqBase: ropeBase, rmsNormEpsilon: eps)
            .write(into: &w)
        w.addTensor(TensorNames.tokenEmbedding, dims: [D, V], floats: make("emb", V * D, scale: 1))
        for l in 0 ..< L {
            let p = "blk.\(l).", n = TensorNames.Block(l)
            w.addTensor(n.attentionNorm, dims: [D], floats: make(p + "an", D, scale: 0.2, offset: 1))
            w.addTensor(n.query, dims: [D, H * Dh], floats: make(p + "q", H * Dh * D))
            w.addTensor(n.key, dims: [D, Hkv * Dh], floats: make(p + "k", Hkv * Dh * D))
            w.addTensor(n.value, dims: [D, Hkv * Dh], floats: make(p + "v", Hkv * Dh * D))
            w.addTensor(n.attentionOutput, dims: [H * Dh, D], floats: make(p + "o", D * H * Dh))
            w.addTensor(n.feedForwardNorm, dims: [D], floats: make(p + "fn", D, scale: 0.2, offset: 1))
            w.addTensor(n.gate, dims: [D, F], floats: make(p + "g", F * D))
            w.addTensor(n.up, dims: [D, F], floats: make(p + "u", F * D))
            w.addTensor(n.down, dims: [F, D], floats: make(p + "d", D * F))
        }
        w.addTensor(TensorNames.outputNorm, dims: [D], floats: make("on", D, scale: 0.2, offset: 1))
        if !tied { w.addTensor(TensorNames.output, dims: [D, V], floats: make("out", V * D, scale: outputScale)) }
        return (w, seeded.values)
    }
}
