import KingletArchitectures
import KingletGGUF

/// A tiny gemma3 GGUF written by our writer with seeded random F32 weights: odd sizes, grouped
/// queries (6 heads over 2 KV heads of 6), 7 layers so that local and global layers both occur
/// (layer 5 is global with the default pattern), a window of 5 positions.
/// D 22, FFN 37, vocabulary 29, context 64.
public enum TinyGemma3File {
    public static let D = 22, H = 6, Hkv = 2, Dh = 6, F = 37, V = 29, L = 7, window = 5
    public static let ropeBase: Float = 1_000_000, localRopeBase: Float = 10000, eps: Float = 1e-6

    /// What varies between the test files.
    public struct Options: Sendable {
        public var tied = true
        /// Written as `gemma3.attention.sliding_window_pattern` when set; nil: llama.cpp's default (period 6).
        public var pattern: [Bool]?
        /// Written as `gemma3.rope.freq_base_swa` when set; nil: the default 10⁴.
        public var localRopeBase: Float?
        public var finalLogitSoftcap: Float?
        public init(tied: Bool = true, pattern: [Bool]? = nil, localRopeBase: Float? = nil, finalLogitSoftcap: Float? = nil) {
            self.tied = tied
            self.pattern = pattern
            self.localRopeBase = localRopeBase
            self.finalLogitSoftcap = finalLogitSoftcap
        }
    }

    /// Layer i slides unless i % 6 == 5 (llama.cpp's default for gemma3).
    public static let defaultPattern = (0 ..< L).map { $0 % 6 != 5 }

    /// The file and every tensor's values by a short name ("emb", "blk.0.q", "blk.0.qn", …, "on", "out").
    public static func build(_ o: Options = Options()) -> (GGUFWriter, [String: [Float]]) {
        var w = GGUFWriter()
        var seeded = SeededTensors(seed: 3)
        func make(_ name: String, _ count: Int, scale: Float = 0.3, offset: Float = 0) -> [Float] {
            seeded.make(name, count, scale: scale, offset: offset)
        }
        let a = "gemma3"
        ModelConfig(architecture: a, layerCount: L, embeddingSize: D, headCount: H, kvHeadCount: Hkv, headSize: Dh,
                    feedForwardSize: F, vocabularySize: V, contextLength: 64, ropeFreqBase: ropeBase, rmsNormEpsilon: eps)
            .write(into: &w)
        w.set(ConfigKey.slidingWindow.key(a), uint32: window)
        if let p = o.pattern { w.set(ConfigKey.slidingWindowPattern.key(a), .array(.bool, p.map { .bool($0) })) }
        if let b = o.localRopeBase { w.set(ConfigKey.ropeFreqBaseSliding.key(a), float32: b) }
        if let cap = o.finalLogitSoftcap { w.set(ConfigKey.finalLogitSoftcap.key(a), float32: cap) }

        w.addTensor(TensorNames.tokenEmbedding, dims: [D, V], floats: make("emb", V * D, scale: 1))
        for l in 0 ..< L {
            let p = "blk.\(l).", n = TensorNames.Block(l)
            w.addTensor(n.attentionNorm, dims: [D], floats: make(p + "an", D, scale: 0.2, offset: 1))
            w.addTensor(n.query, dims: [D, H * Dh], floats: make(p + "q", H * Dh * D))
            w.addTensor(n.key, dims: [D, Hkv * Dh], floats: make(p + "k", Hkv * Dh * D))
            w.addTensor(n.value, dims: [D, Hkv * Dh], floats: make(p + "v", Hkv * Dh * D))
            w.addTensor(n.queryNorm, dims: [Dh], floats: make(p + "qn", Dh, scale: 0.2, offset: 1))
            w.addTensor(n.keyNorm, dims: [Dh], floats: make(p + "kn", Dh, scale: 0.2, offset: 1))
            w.addTensor(n.attentionOutput, dims: [H * Dh, D], floats: make(p + "o", D * H * Dh))
            w.addTensor(n.postAttentionNorm, dims: [D], floats: make(p + "pan", D, scale: 0.2, offset: 1))
            w.addTensor(n.feedForwardNorm, dims: [D], floats: make(p + "fn", D, scale: 0.2, offset: 1))
            w.addTensor(n.gate, dims: [D, F], floats: make(p + "g", F * D))
            w.addTensor(n.up, dims: [D, F], floats: make(p + "u", F * D))
            w.addTensor(n.down, dims: [F, D], floats: make(p + "d", D * F))
            w.addTensor(n.postFeedForwardNorm, dims: [D], floats: make(p + "pfn", D, scale: 0.2, offset: 1))
        }
        w.addTensor(TensorNames.outputNorm, dims: [D], floats: make("on", D, scale: 0.2, offset: 1))
        if !o.tied { w.addTensor(TensorNames.output, dims: [D, V], floats: make("out", V * D, scale: 0.5)) }
        return (w, seeded.values)
    }
}
