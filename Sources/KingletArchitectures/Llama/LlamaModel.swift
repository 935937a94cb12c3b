import KingletGGUF
import KingletKernels

/// The llama architecture as GGUF describes it (`general.architecture = llama`: SmolLM2,
/// Llama 3.x, TinyLlama): RMSNorm, RoPE (adjacent pairs), grouped-query attention, SwiGLU,
/// output head tied to the embedding when `output.weight` is absent.
public final class LlamaModel: LanguageModel, @unchecked Sendable {
    public let config: ModelConfig
    let weights: LlamaWeights
    let pool: ThreadPool
    let rope: RoPE
    let attention: Attention
    let gguf: GGUFFile  // keeps the mapping alive

    public init(gguf: GGUFFile, options: ModelLoadOptions) throws(ModelError) {
        var config = try ModelConfig(gguf: gguf, architecture: "llama")
        if let c = options.contextLength {
            guard c > 0 else { throw .badConfig("context length must be positive") }
            config.contextLength = c
        }
        self.config = config
        self.gguf = gguf
        self.pool = options.pool
        self.weights = try LlamaWeights(TensorLoader(gguf: gguf), config)
        self.rope = RoPE(dims: config.ropeDimensionCount, base: config.ropeFreqBase, style: .normal)
        self.attention = Attention(heads: config.headCount, kvHeads: config.kvHeadCount, headSize: config.headSize)
    }

    public var weightSummary: String {
        var counts: [String: Int] = [:]
        for t in gguf.tensorInfos { counts[t.type.description, default: 0] += 1 }
        return counts.sorted { $0.value > $1.value }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
    }

    public func forward(_ tokens: [Int32], state: ModelState, logits selection: LogitsSelection) throws(ModelError) -> [Float] {
        let c = config
        let cache = state.cache
        let T = tokens.count
        let start = cache.count
        guard T > 0 else { return [] }
        guard start + T <= cache.capacity else { throw .contextFull(needed: start + T, capacity: cache.capacity) }
        for t in tokens where t < 0 || Int(t) >= c.vocabularySize {
            throw .tokenOutOfRange(t, vocabularySize: c.vocabularySize)
        }
        let D = c.embeddingSize, Dh = c.headSize, H = c.headCount, Hkv = c.kvHeadCount, F = c.feedForwardSize
        let qDim = H * Dh, kvDim = Hkv * Dh
        let trace = state.trace

        let x = state.buffer("x", T * D)          // [T, D] residual stream
        let xb = state.buffer("xb", T * D)        // [T, D] normed input
        let q = state.buffer("q", T * qDim)       // [T, H·Dh]
        let k = state.buffer("k", T * kvDim)      // [T, Hkv·Dh]
        let v = state.buffer("v", T * kvDim)      // [T, Hkv·Dh]
        let att = state.buffer("att", T * qDim)   // [T, H·Dh]
        let proj = state.buffer("proj", T * D)    // [T, D]
        let gate = state.buffer("gate", T * F)    // [T, F]
        let up = state.buffer("up", T * F)        // [T, F]
        let cosT = state.buffer("cos", T * c.ropeDimensionCount / 2)  // [T, dims/2]
        let sinT = state.buffer("sin", T * c.ropeDimensionCount / 2)

        func emit(_ name: String, _ layer: Int, _ p: UnsafeMutablePointer<Float>, _ n: Int) {
            trace?(name, layer, UnsafeBufferPointer(start: p, count: n))
        }

        for (t, id) in tokens.enumerated() {
            Kernels.dequantizeRow(weights.tokenEmbedding, row: Int(id), into: x + t * D)
        }
        emit("inp_embd", -1, x, T * D)
        let half = c.ropeDimensionCount / 2
        for t in 0 ..< T { rope.angles(position: start + t, cos: cosT + t * half, sin: sinT + t * half) }

        for (l, layer) in weights.layers.enumerated() {
            rmsNorm(x, weight: layer.attentionNorm, xb, rows: T, size: D, epsilon: c.rmsNormEpsilon)
            emit("attn_norm", l, xb, T * D)
            Kernels.matmul(layer.wq, xb, n: T, q, pool: pool)
            Kernels.matmul(layer.wk, xb, n: T, k, pool: pool)
            Kernels.matmul(layer.wv, xb, n: T, v, pool: pool)
            for t in 0 ..< T {
                rope.apply(q + t * qDim, heads: H, headSize: Dh, cos: cosT + t * half, sin: sinT + t * half)
                rope.apply(k + t * kvDim, heads: Hkv, headSize: Dh, cos: cosT + t * half, sin: sinT + t * half)
                cache.store(layer: l, position: start + t, key: k + t * kvDim, value: v + t * kvDim)
            }
            emit("Qcur", l, q, T * qDim)
            emit("Kcur", l, k, T * kvDim)
            emit("Vcur", l, v, T * kvDim)
            attention(q: q, out: att, tokens: T, start: start, layer: l, cache: cache, pool: pool)
            emit("kqv_out", l, att, T * qDim)
            Kernels.matmul(layer.wo, att, n: T, proj, pool: pool)
            addInPlace(x, proj, count: T * D)
            emit("ffn_inp", l, x, T * D)

            rmsNorm(x, weight: layer.ffnNorm, xb, rows: T, size: D, epsilon: c.rmsNormEpsilon)
            emit("ffn_norm", l, xb, T * D)
            Kernels.matmul(layer.wGate, xb, n: T, gate, pool: pool)
            Kernels.matmul(layer.wUp, xb, n: T, up, pool: pool)
            swiglu(gate, up, count: T * F)
            Kernels.matmul(layer.wDown, gate, n: T, proj, pool: pool)
            addInPlace(x, proj, count: T * D)
            emit("l_out", l, x, T * D)
        }
        cache.count = start + T

        let first = selection == .last ? T - 1 : 0
        let rows = T - first
        rmsNorm(x + first * D, weight: weights.outputNorm, xb, rows: rows, size: D, epsilon: c.rmsNormEpsilon)
        emit("result_norm", -1, xb, rows * D)
        var out = [Float](repeating: 0, count: rows * c.vocabularySize)
        out.withUnsafeMutableBufferPointer { o in
            Kernels.matmul(weights.output, xb, n: rows, o.baseAddress!, pool: pool)
        }
        return out
    }
}
