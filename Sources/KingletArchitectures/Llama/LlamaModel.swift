import Foundation
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
    private let scratch = ScratchBuffers()
    private let lock = NSLock()

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

    public func forward(_ batch: [SequenceInput]) throws(ModelError) -> [[Float]] {
        lock.lock()
        defer { lock.unlock() }
        let c = config
        let layout = try BatchLayout(batch, vocabularySize: c.vocabularySize)
        let segments = layout.segments
        let T = layout.rowCount
        guard T > 0 else { return batch.map { _ in [] } }
        let D = c.embeddingSize, Dh = c.headSize, H = c.headCount, Hkv = c.kvHeadCount, F = c.feedForwardSize
        let qDim = H * Dh, kvDim = Hkv * Dh, half = c.ropeDimensionCount / 2
        let trace = batch.count == 1 ? batch[0].state.trace : nil

        let x = scratch("x", T * D)          // [T, D] residual stream
        let xb = scratch("xb", T * D)        // [T, D] normed input
        let q = scratch("q", T * qDim)       // [T, H·Dh]
        let k = scratch("k", T * kvDim)      // [T, Hkv·Dh]
        let v = scratch("v", T * kvDim)      // [T, Hkv·Dh]
        let att = scratch("att", T * qDim)   // [T, H·Dh]
        let proj = scratch("proj", T * D)    // [T, D]
        let gate = scratch("gate", T * F)    // [T, F]
        let up = scratch("up", T * F)        // [T, F]
        let cosT = scratch("cos", T * half)  // [T, dims/2]
        let sinT = scratch("sin", T * half)  // [T, dims/2]

        func emit(_ name: String, _ layer: Int, _ p: UnsafeMutablePointer<Float>, _ n: Int) {
            trace?(name, layer, UnsafeBufferPointer(start: p, count: n))
        }

        for (s, seg) in zip(batch, segments) {
            for (i, id) in s.tokens.enumerated() {
                Kernels.dequantizeRow(weights.tokenEmbedding, row: Int(id), into: x + (seg.firstRow + i) * D)
            }
        }
        layout.forEachRow { r, position, _ in rope.angles(position: position, cos: cosT + r * half, sin: sinT + r * half) }
        emit("inp_embd", -1, x, T * D)

        for (l, layer) in weights.layers.enumerated() {
            rmsNorm(x, weight: layer.attentionNorm, xb, rows: T, size: D, epsilon: c.rmsNormEpsilon)
            emit("attn_norm", l, xb, T * D)
            Kernels.matmul([layer.wq, layer.wk, layer.wv], xb, n: T, [q, k, v], pool: pool)
            layout.forEachRow { r, position, seg in
                rope.apply(q + r * qDim, heads: H, headSize: Dh, cos: cosT + r * half, sin: sinT + r * half)
                rope.apply(k + r * kvDim, heads: Hkv, headSize: Dh, cos: cosT + r * half, sin: sinT + r * half)
                seg.cache.store(layer: l, position: position, key: k + r * kvDim, value: v + r * kvDim)
            }
            emit("Qcur", l, q, T * qDim)
            emit("Kcur", l, k, T * kvDim)
            emit("Vcur", l, v, T * kvDim)
            attention(q: q, out: att, segments: segments, layer: l, pool: pool)
            emit("kqv_out", l, att, T * qDim)
            Kernels.matmul(layer.wo, att, n: T, proj, pool: pool)
            addInPlace(x, proj, count: T * D)
            emit("ffn_inp", l, x, T * D)

            rmsNorm(x, weight: layer.ffnNorm, xb, rows: T, size: D, epsilon: c.rmsNormEpsilon)
            emit("ffn_norm", l, xb, T * D)
            Kernels.matmul([layer.wGate, layer.wUp], xb, n: T, [gate, up], pool: pool)
            swiglu(gate, up, count: T * F)
            Kernels.matmul(layer.wDown, gate, n: T, proj, pool: pool)
            addInPlace(x, proj, count: T * D)
            emit("l_out", l, x, T * D)
        }
        layout.commit()

        // Logits only for the rows asked for, in one product with the output head.
        let rows = layout.logitRows
        for (i, r) in rows.enumerated() {
            rmsNorm(x + r * D, weight: weights.outputNorm, xb + i * D, rows: 1, size: D, epsilon: c.rmsNormEpsilon)
        }
        emit("result_norm", -1, xb, rows.count * D)
        let V = c.vocabularySize
        let logits = scratch("logits", rows.count * V)  // [rows, V]
        Kernels.matmul(weights.output, xb, n: rows.count, logits, pool: pool)
        return layout.split(logits, vocabularySize: V)
    }
}
