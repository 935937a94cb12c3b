import KingletGGUF

/// The hyper-parameters of a decoder-only transformer, read from GGUF metadata
/// (`<arch>.block_count`, `<arch>.embedding_length`, ...).
///
/// Legend used in shape comments across this module:
///   D = embedding size, L = layers, H = query heads, Hkv = key/value heads, Dh = head size,
///   F = feed-forward size, V = vocabulary size, T = tokens in a batch, C = context length.
public struct ModelConfig: Sendable, Equatable {
    public var architecture: String
    public var layerCount: Int        // L
    public var embeddingSize: Int     // D
    public var headCount: Int         // H
    public var kvHeadCount: Int       // Hkv
    public var headSize: Int          // Dh
    public var feedForwardSize: Int   // F
    public var vocabularySize: Int    // V
    public var contextLength: Int     // C, from the file unless overridden
    public var ropeFreqBase: Float
    public var ropeDimensionCount: Int
    public var rmsNormEpsilon: Float

    public init(
        architecture: String, layerCount: Int, embeddingSize: Int, headCount: Int, kvHeadCount: Int,
        headSize: Int? = nil, feedForwardSize: Int, vocabularySize: Int, contextLength: Int,
        ropeFreqBase: Float = 10000, ropeDimensionCount: Int? = nil, rmsNormEpsilon: Float = 1e-5
    ) {
        self.architecture = architecture
        self.layerCount = layerCount
        self.embeddingSize = embeddingSize
        self.headCount = headCount
        self.kvHeadCount = kvHeadCount
        let dh = headSize ?? embeddingSize / max(headCount, 1)
        self.headSize = dh
        self.feedForwardSize = feedForwardSize
        self.vocabularySize = vocabularySize
        self.contextLength = contextLength
        self.ropeFreqBase = ropeFreqBase
        self.ropeDimensionCount = ropeDimensionCount ?? dh
        self.rmsNormEpsilon = rmsNormEpsilon
    }

    /// Reads the configuration of an architecture that follows the llama key layout.
    public init(gguf: GGUFFile, architecture arch: String) throws(ModelError) {
        func int(_ k: ConfigKey) throws(ModelError) -> Int {
            guard let v = gguf.metadata[k.key(arch)]?.intValue else {
                throw .missingMetadata(key: k.key(arch))
            }
            return v
        }
        func float(_ k: ConfigKey, default d: Float) -> Float {
            gguf.metadata[k.key(arch)]?.doubleValue.map(Float.init) ?? d
        }
        let layers = try int(.blockCount)
        let embd = try int(.embeddingLength)
        let heads = try int(.headCount)
        let kvHeads = (try? int(.headCountKV)) ?? heads
        let ff = try int(.feedForwardLength)
        let headSize = (try? int(.keyLength)) ?? embd / max(heads, 1)
        let vocab = (try? int(.vocabularySize)) ?? (gguf.metadata["tokenizer.ggml.tokens"]?.arrayCount ?? 0)
        let ctx = (try? int(.contextLength)) ?? 2048
        self.init(
            architecture: arch, layerCount: layers, embeddingSize: embd, headCount: heads,
            kvHeadCount: kvHeads, headSize: headSize, feedForwardSize: ff, vocabularySize: vocab,
            contextLength: ctx, ropeFreqBase: float(.ropeFreqBase, default: 10000),
            ropeDimensionCount: (try? int(.ropeDimensionCount)) ?? headSize,
            rmsNormEpsilon: float(.rmsNormEpsilon, default: 1e-5))
        try validate()
    }

    /// Writes `general.architecture` and the hyper-parameters under the keys `init(gguf:)` reads.
    public func write(into w: inout GGUFWriter) {
        let a = architecture
        w.set("general.architecture", a)
        w.set(ConfigKey.blockCount.key(a), uint32: layerCount)
        w.set(ConfigKey.embeddingLength.key(a), uint32: embeddingSize)
        w.set(ConfigKey.feedForwardLength.key(a), uint32: feedForwardSize)
        w.set(ConfigKey.headCount.key(a), uint32: headCount)
        w.set(ConfigKey.headCountKV.key(a), uint32: kvHeadCount)
        if headSize != embeddingSize / max(headCount, 1) { w.set(ConfigKey.keyLength.key(a), uint32: headSize) }
        w.set(ConfigKey.contextLength.key(a), uint32: contextLength)
        w.set(ConfigKey.ropeFreqBase.key(a), float32: ropeFreqBase)
        w.set(ConfigKey.ropeDimensionCount.key(a), uint32: ropeDimensionCount)
        w.set(ConfigKey.rmsNormEpsilon.key(a), float32: rmsNormEpsilon)
        w.set(ConfigKey.vocabularySize.key(a), uint32: vocabularySize)
    }

    /// Rejects shapes the forward pass cannot run (a hostile or broken file must not crash us).
    public func validate() throws(ModelError) {
        func check(_ ok: Bool, _ why: String) throws(ModelError) { if !ok { throw .badConfig(why) } }
        try check(layerCount > 0 && layerCount <= 1024, "block_count \(layerCount) out of range")
        try check(embeddingSize > 0 && embeddingSize <= 1 << 16, "embedding_length \(embeddingSize) out of range")
        try check(headCount > 0 && kvHeadCount > 0 && headCount % kvHeadCount == 0,
                  "head_count \(headCount) is not a multiple of head_count_kv \(kvHeadCount)")
        try check(headSize > 0 && headSize % 2 == 0 && headSize <= 1024, "head size \(headSize) must be even and ≤ 1024")
        try check(ropeDimensionCount > 0 && ropeDimensionCount <= headSize && ropeDimensionCount % 2 == 0,
                  "rope.dimension_count \(ropeDimensionCount) must be even and ≤ head size \(headSize)")
        try check(feedForwardSize > 0 && feedForwardSize <= 1 << 18, "feed_forward_length \(feedForwardSize) out of range")
        try check(vocabularySize > 0, "vocabulary is empty")
        try check(contextLength > 0, "context_length must be positive")
    }

    /// Parameters in the weights (embedding counted once; output head counted only when untied).
    public func parameterCount(tiedOutput: Bool) -> Int {
        let attn = embeddingSize * headCount * headSize * 2 + embeddingSize * kvHeadCount * headSize * 2
        let ffn = 3 * embeddingSize * feedForwardSize
        let perLayer = attn + ffn + 2 * embeddingSize
        return vocabularySize * embeddingSize * (tiedOutput ? 1 : 2) + layerCount * perLayer + embeddingSize
    }
}
