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
    public var ropeFreqBase: Float    // RoPE base of global layers (every layer without a window)
    public var ropeDimensionCount: Int
    public var rmsNormEpsilon: Float

    // Beyond llama (defaults: llama's behaviour). Gemma 2/3 set these.
    /// W: a sliding-window layer attends to the last W positions (the new one included);
    /// nil when every layer is global.
    public var slidingWindow: Int?
    /// Per layer, whether it is a sliding-window (local) layer. [L]; all false without a window.
    public var slidingLayers: [Bool]
    /// RoPE base of sliding-window layers (`rope.freq_base_swa`); nil: `ropeFreqBase`.
    public var slidingRopeFreqBase: Float?
    /// Attention logit scale; nil: 1/√Dh. Architectures that derive it otherwise set it (Gemma 3 27B).
    public var attentionScale: Float?
    /// Attention logits become cap·tanh(s/cap) before the softmax (`attn_logit_softcapping`, Gemma 2).
    public var attentionLogitSoftcap: Float?
    /// Output logits become cap·tanh(z/cap) (`final_logit_softcapping`, Gemma 2).
    public var finalLogitSoftcap: Float?
    /// The token embedding is multiplied by this (Gemma: √D); not a file key, the architecture's own.
    public var embeddingScale: Float = 1
    /// RoPE scaling (`rope.scaling.*`; Llama 3.x's factors are a tensor, `RoPEScaling`).
    public var ropeScaling = RoPEScalingConfig()

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
        self.slidingLayers = Array(repeating: false, count: max(layerCount, 0))
    }

    /// The window of layer `l`, or nil when it attends to the whole context.
    public func slidingWindow(layer l: Int) -> Int? {
        l < slidingLayers.count && slidingLayers[l] ? slidingWindow : nil
    }

    /// The RoPE base of layer `l`.
    public func ropeFreqBase(layer l: Int) -> Float {
        slidingWindow(layer: l) != nil ? slidingRopeFreqBase ?? ropeFreqBase : ropeFreqBase
    }

    /// The attention logit scale (1/√Dh unless the architecture says otherwise).
    public var queryScale: Float { attentionScale ?? 1 / Float(headSize).squareRoot() }

    /// What an architecture assumes where its file is silent, as llama.cpp's per-architecture
    /// hyper-parameter loading does.
    public struct Defaults: Sendable {
        /// Sliding-window layers when the file has `attention.sliding_window` but no
        /// `attention.sliding_window_pattern`: with period n, layer i is global when i % n == n − 1
        /// (llama.cpp `set_swa_pattern`; 0: every layer slides). nil: the architecture has no
        /// sliding window and ignores those keys (llama).
        public var slidingWindowPeriod: Int?
        /// RoPE base of sliding layers when `rope.freq_base_swa` is absent; nil: the global base.
        public var slidingRopeFreqBase: Float?

        public init(slidingWindowPeriod: Int? = nil, slidingRopeFreqBase: Float? = nil) {
            self.slidingWindowPeriod = slidingWindowPeriod
            self.slidingRopeFreqBase = slidingRopeFreqBase
        }

        public static let llama = Defaults()
    }

    /// Reads the configuration of an architecture that follows the llama key layout, with the
    /// optional keys of later architectures (sliding window, soft-caps) where `defaults` says the
    /// architecture has them. A present key of the wrong type or out of range is an error naming it.
    public init(gguf: GGUFFile, architecture arch: String, defaults: Defaults = .llama) throws(ModelError) {
        func int(_ k: ConfigKey) throws(ModelError) -> Int {
            guard let v = gguf.metadata[k.key(arch)]?.intValue else {
                throw .missingMetadata(key: k.key(arch))
            }
            return v
        }
        // An optional key that is absent takes its default; one that is present must be valid.
        let reader = OptionalKeys(gguf: gguf, architecture: arch)
        let layers = try int(.blockCount)
        let embd = try int(.embeddingLength)
        let heads = try int(.headCount)
        let kvHeads = try reader.positiveInt(.headCountKV) ?? heads
        let ff = try int(.feedForwardLength)
        let headSize = try reader.positiveInt(.keyLength) ?? embd / max(heads, 1)
        let vocab = try reader.positiveInt(.vocabularySize) ?? (gguf.metadata["tokenizer.ggml.tokens"]?.arrayCount ?? 0)
        let ctx = try reader.positiveInt(.contextLength, bounded: false) ?? 2048
        self.init(
            architecture: arch, layerCount: layers, embeddingSize: embd, headCount: heads,
            kvHeadCount: kvHeads, headSize: headSize, feedForwardSize: ff, vocabularySize: vocab,
            contextLength: ctx, ropeFreqBase: try reader.positiveFloat(.ropeFreqBase) ?? 10000,
            ropeDimensionCount: try reader.positiveInt(.ropeDimensionCount) ?? headSize,
            rmsNormEpsilon: try reader.positiveFloat(.rmsNormEpsilon) ?? 1e-5)
        ropeScaling = try RoPEScalingConfig(gguf: gguf, architecture: arch)
        let longRoPE = ropeScaling.kind == .longrope || gguf.tensorIfPresent(TensorNames.ropeFactorsLong) != nil
        if longRoPE, ropeScaling.originalContextLength == nil {
            ropeScaling.originalContextLength = ctx  // llama.cpp: n_ctx_orig_yarn = n_ctx_train
        }
        attentionLogitSoftcap = try reader.positiveFloat(.attentionLogitSoftcap)
        finalLogitSoftcap = try reader.positiveFloat(.finalLogitSoftcap)
        if let period = defaults.slidingWindowPeriod, let w = try reader.positiveInt(.slidingWindow) {
            slidingWindow = w
            slidingLayers = try reader.slidingPattern(layers: layers, defaultPeriod: period)
            slidingRopeFreqBase = try reader.positiveFloat(.ropeFreqBaseSliding) ?? defaults.slidingRopeFreqBase
        }
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
        ropeScaling.write(into: &w, architecture: a)
        if let cap = attentionLogitSoftcap { w.set(ConfigKey.attentionLogitSoftcap.key(a), float32: cap) }
        if let cap = finalLogitSoftcap { w.set(ConfigKey.finalLogitSoftcap.key(a), float32: cap) }
        if let window = slidingWindow {
            w.set(ConfigKey.slidingWindow.key(a), uint32: window)
            w.set(ConfigKey.slidingWindowPattern.key(a), .array(.bool, slidingLayers.map { .bool($0) }))
            if let base = slidingRopeFreqBase { w.set(ConfigKey.ropeFreqBaseSliding.key(a), float32: base) }
        }
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
        func positive(_ x: Float?) -> Bool { x.map { $0.isFinite && $0 > 0 } ?? true }
        try check(positive(ropeFreqBase), "rope.freq_base \(ropeFreqBase) must be finite and positive")
        try check(positive(slidingRopeFreqBase), "rope.freq_base_swa must be finite and positive")
        try check(positive(attentionScale), "the attention scale must be finite and positive")
        try check(positive(attentionLogitSoftcap), "attn_logit_softcapping must be finite and positive")
        try check(positive(finalLogitSoftcap), "final_logit_softcapping must be finite and positive")
        try check(embeddingScale.isFinite && embeddingScale > 0, "the embedding scale must be finite and positive")
        try check(slidingWindow.map { $0 > 0 } ?? true, "attention.sliding_window must be positive")
        try ropeScaling.validate()
        try check(slidingLayers.count == layerCount, "the sliding-window pattern has \(slidingLayers.count) layers, the model \(layerCount)")
    }

    /// Parameters in the weights (embedding counted once; output head counted only when untied).
    public func parameterCount(tiedOutput: Bool) -> Int {
        let attn = embeddingSize * headCount * headSize * 2 + embeddingSize * kvHeadCount * headSize * 2
        let ffn = 3 * embeddingSize * feedForwardSize
        let perLayer = attn + ffn + 2 * embeddingSize
        return vocabularySize * embeddingSize * (tiedOutput ? 1 : 2) + layerCount * perLayer + embeddingSize
    }
}

/// Reads the optional keys of an architecture: absent is nil, present but of the wrong type or
/// out of range is `ModelError.badMetadata` naming the key.
private struct OptionalKeys {
    let gguf: GGUFFile
    let architecture: String

    /// An integer in 1...2^30, or (`bounded: false`) any positive one — a context length, whose
    /// size the resource check judges with the memory it needs.
    func positiveInt(_ k: ConfigKey, bounded: Bool = true) throws(ModelError) -> Int? {
        let key = k.key(architecture)
        guard let value = gguf.metadata[key] else { return nil }
        guard let n = value.intValue, n > 0, !bounded || n <= 1 << 30 else {
            throw .badMetadata(key: key, expected: bounded ? "an integer in 1...2^30" : "a positive integer")
        }
        return n
    }

    func positiveFloat(_ k: ConfigKey) throws(ModelError) -> Float? {
        let key = k.key(architecture)
        guard let value = gguf.metadata[key] else { return nil }
        guard let x = value.doubleValue.map(Float.init), x.isFinite, x > 0 else {
            throw .badMetadata(key: key, expected: "a finite positive number")
        }
        return x
    }

    /// One flag per layer (true: sliding), from a period or an explicit array.
    func slidingPattern(layers: Int, defaultPeriod: Int) throws(ModelError) -> [Bool] {
        let key = ConfigKey.slidingWindowPattern.key(architecture)
        func periodic(_ n: Int) -> [Bool] { (0 ..< layers).map { n == 0 || $0 % n < n - 1 } }
        guard let value = gguf.metadata[key] else { return periodic(defaultPeriod) }
        if let n = value.intValue {
            guard n >= 0, n <= 1 << 20 else { throw .badMetadata(key: key, expected: "a period in 0...2^20") }
            return periodic(n)
        }
        let expected = "a period or \(layers) flags (bool or integer) for the \(layers) layers"
        guard value.arrayCount == layers, let items = value.arrayValue else { throw .badMetadata(key: key, expected: expected) }
        var flags: [Bool] = []
        for item in items {
            if let b = item.boolValue { flags.append(b) } else if let i = item.intValue { flags.append(i != 0) } else {
                throw .badMetadata(key: key, expected: expected)
            }
        }
        return flags
    }
}
