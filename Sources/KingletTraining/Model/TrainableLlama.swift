import KingletArchitectures
import KingletKernels

/// One batch: B sequences of T tokens, each row predicting `targets[n]` with weight `weights[n]`.
///
///   inputs, targets  [B·T]
///   weights          [B·T]  the row's share of the batch loss (0 masks it)
public struct TrainingBatch: Sendable {
    public var batch: Int
    public var length: Int
    public var inputs: [Int32]
    public var targets: [Int32]
    public var weights: [Float]
    /// The teacher's distributions for the rows, when the batch is for distillation.
    public var teacher: TeacherTargets?

    public init(batch: Int, length: Int, inputs: [Int32], targets: [Int32], weights: [Float]) {
        precondition(inputs.count == batch * length && targets.count == inputs.count && weights.count == inputs.count)
        self.batch = batch
        self.length = length
        self.inputs = inputs
        self.targets = targets
        self.weights = weights
    }
}

/// A llama model being trained: configuration, the flat parameter buffer and its gradient.
/// The forward pass saves its activations; the backward walks the same layers in reverse,
/// each op's backward beside its forward (Ops/).
public final class TrainableLlama: @unchecked Sendable {
    public let config: ModelConfig
    public let layout: ParameterLayout
    let parameters: FloatBuffer   // [P]
    let gradients: FloatBuffer    // [P]
    let pool: ThreadPool?
    private var activations: Activations?
    private var rope: RoPETable?
    /// nil: every parameter trains; N: the token embedding (and tied head) and the first N layers
    /// are frozen — `trainStep` forms no gradient for them (their gradient stays as it was) and
    /// the backward pass stops above them (`TrainSettings.frozenLayers`).
    public var frozenLayers: Int? {
        didSet { precondition((frozenLayers ?? 0) >= 0 && (frozenLayers ?? 0) <= config.layerCount, "frozen layers out of range") }
    }

    /// Offset of the first parameter that trains: the frozen parts are a prefix of the layout
    /// (embedding, then the layers in order).
    public var trainableOffset: Int {
        guard let n = frozenLayers else { return 0 }
        return n < layout.layers.count ? layout.layers[n].attentionNorm : layout.outputNorm
    }

    public init(config: ModelConfig, seed: UInt64, pool: ThreadPool?) {
        self.config = config
        layout = ParameterLayout(config)
        parameters = FloatBuffer(layout.count)
        gradients = FloatBuffer(layout.count)
        self.pool = pool
        layout.initialize(parameters.pointer, seed: seed)
    }

    /// A model starting from `weights` (a pretrained or pruned model) instead of random values.
    public convenience init(weights: PretrainedWeights, pool: ThreadPool?) {
        self.init(config: weights.config, seed: 0, pool: pool)
        weights.parameters.withUnsafeBufferPointer { setParameters($0) }
    }

    /// Total parameters (embedding counted once: the output head is tied).
    public var parameterCount: Int { layout.count }

    /// The parameters, read-only, in `layout` order.
    public func withParameters<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: parameters.pointer, count: layout.count))
    }

    /// Overwrites the parameters (checkpoint restore); `values.count` must equal `parameterCount`.
    public func setParameters(_ values: UnsafeBufferPointer<Float>) {
        precondition(values.count == layout.count)
        parameters.pointer.update(from: values.baseAddress!, count: values.count)
    }

    /// Zeroes the gradients a step forms: those from `trainableOffset` on. The frozen prefix forms
    /// none, so it stays as the last full zeroing left it (all of them, the first time and
    /// whenever `frozenLayers` has changed since): 39M of the default pruned student's 85M floats
    /// not written every step.
    public func zeroGradients() {
        let start = trainableOffset
        guard start == zeroPrefix else {
            gradients.zero()
            zeroPrefix = start
            return
        }
        (gradients.pointer + start).update(repeating: 0, count: layout.count - start)
    }

    /// The frozen prefix whose gradients the last full zeroing cleared (nil: none yet).
    private var zeroPrefix: Int?

    /// Model FLOPs of one forward+backward over B×T tokens: 6 × (matrix parameters incl. the
    /// head) per token, plus the causal attention's score and value products.
    /// Frozen parts cost their forward only (2×; the head 4×: its input gradient is still needed).
    public func trainingFLOPs(batch: Int, length: Int) -> Double {
        let c = config
        let layerMatrices = Double(layout.nonEmbeddingCount - (2 * c.layerCount + 1) * c.embeddingSize) / Double(max(c.layerCount, 1))
        let frozen = Double(frozenLayers ?? 0), trained = Double(c.layerCount) - frozen
        let head = Double(c.vocabularySize * c.embeddingSize)
        let tokens = Double(batch * length)
        // per sequence, per layer, per head: QKᵀ and AV over T(T+1)/2 pairs, 2 FLOPs each
        let attention = Double(batch * c.headCount) * 4 * Double(c.headSize) * Double(length * (length + 1) / 2)
        return (6 * trained + 2 * frozen) * layerMatrices * tokens + (frozenLayers == nil ? 6 : 4) * head * tokens
            + (3 * trained + frozen) * attention
    }

    func prepare(batch: Int, length: Int, training: Bool) -> Activations {
        if let a = activations, a.batch == batch, a.length == length, !training || a.dResidual.count > 0 { return a }
        activations = nil
        let a = Activations(config: config, batch: batch, length: length, training: training)
        activations = a
        if rope?.length != length {
            rope = RoPETable(length: length, dims: config.ropeDimensionCount, base: config.ropeFreqBase)
        }
        return a
    }

    private var attentionShape: (Int, Int) -> AttentionShape {
        { b, t in AttentionShape(batch: b, length: t, heads: self.config.headCount, kvHeads: self.config.kvHeadCount, headSize: self.config.headSize,
                        scale: self.config.queryScale) }
    }

    /// Forward through the layers to the final norm (saving activations). A layer in `skipping`
    /// passes its input through unchanged (what the model would compute without it: pruning's
    /// importance measure). With `resumingAt` l > 0 the embedding and the layers below l are not
    /// run: `a.residual[l]` must already hold layer l's input from a pass that skipped the same
    /// layers below l.
    func forwardLayers(_ tokens: UnsafePointer<Int32>, _ a: Activations, skipping: Set<Int> = [], resumingAt start: Int = 0) {
        let c = config, p = parameters.pointer, N = a.rows, D = c.embeddingSize, F = c.feedForwardSize
        let qDim = c.headCount * c.headSize, qkvDim = (c.headCount + 2 * c.kvHeadCount) * c.headSize
        let shape = attentionShape(a.batch, a.length)
        precondition((0 ... c.layerCount).contains(start))
        if start == 0 { EmbeddingOp.forward(a.residual[0].pointer, p + layout.tokenEmbedding, tokens: tokens, n: N, dim: D) }
        for (l, w) in layout.layers.enumerated() where l >= start {
            let act = a.layers[l], x = a.residual[l].pointer
            if skipping.contains(l) {
                a.residual[l + 1].pointer.update(from: x, count: N * D)
                continue
            }
            RMSNormOp.forward(act.xn1.pointer, rstd: act.rstd1.pointer, x, p + w.attentionNorm, n: N, dim: D, eps: c.rmsNormEpsilon, pool: pool)
            MatmulOp.forward(act.qkv.pointer, act.xn1.pointer, p + w.qkv, n: N, inputs: D, outputs: qkvDim, pool: pool)
            RoPEOp.apply(act.qkv.pointer, rows: N, rowStride: qkvDim, heads: c.headCount + c.kvHeadCount,
                         headSize: c.headSize, table: rope!, inverse: false)
            AttentionOp.forward(y: act.y.pointer, att: act.att.pointer, qkv: act.qkv.pointer, shape: shape, pool: pool)
            MatmulOp.forward(act.mid.pointer, act.y.pointer, p + w.output, n: N, inputs: qDim, outputs: D, pool: pool)
            VectorMath.axpy(1, x, act.mid.pointer, N * D)
            RMSNormOp.forward(act.xn2.pointer, rstd: act.rstd2.pointer, act.mid.pointer, p + w.ffnNorm, n: N, dim: D, eps: c.rmsNormEpsilon, pool: pool)
            MatmulOp.forward(act.gateUp.pointer, act.xn2.pointer, p + w.gateUp, n: N, inputs: D, outputs: 2 * F, pool: pool)
            SwiGLUOp.forward(act.h.pointer, gateUp: act.gateUp.pointer, n: N, ff: F, pool: pool)
            let out = a.residual[l + 1].pointer
            MatmulOp.forward(out, act.h.pointer, p + w.down, n: N, inputs: F, outputs: D, pool: pool)
            VectorMath.axpy(1, act.mid.pointer, out, N * D)
        }
        RMSNormOp.forward(a.xnFinal.pointer, rstd: a.rstdFinal.pointer, a.residual[c.layerCount].pointer,
                          p + layout.outputNorm, n: N, dim: D, eps: c.rmsNormEpsilon, pool: pool)
    }

    /// Forward, loss and backward for one batch; gradients ACCUMULATE (call `zeroGradients` per
    /// optimizer step). Returns (Σ weight·loss, Σ weight).
    @discardableResult
    public func trainStep(tokens: UnsafePointer<Int32>, batch: Int, length: Int, loss: some HeadLoss) -> (loss: Double, weight: Double) {
        let a = prepare(batch: batch, length: length, training: true)
        forwardLayers(tokens, a)
        let c = config, p = parameters.pointer, g = gradients.pointer, N = a.rows, D = c.embeddingSize, F = c.feedForwardSize
        let qDim = c.headCount * c.headSize, qkvDim = (c.headCount + 2 * c.kvHeadCount) * c.headSize
        let result = OutputHeadOp.run(xn: a.xnFinal.pointer, dxn: a.dxn.pointer, embedding: p + layout.tokenEmbedding,
                                      dEmbedding: frozenLayers == nil ? g + layout.tokenEmbedding : nil, n: N, dim: D,
                                      vocab: c.vocabularySize, scratch: a.logits.pointer, loss: loss, pool: pool)
        let dres = a.dResidual.pointer
        a.dResidual.zero()
        RMSNormOp.backward(dx: dres, dg: g + layout.outputNorm, dy: a.dxn.pointer, x: a.residual[c.layerCount].pointer,
                           g: p + layout.outputNorm, rstd: a.rstdFinal.pointer, n: N, dim: D, pool: pool)
        let shape = attentionShape(a.batch, a.length)
        for (l, w) in layout.layers.enumerated().reversed() where l >= frozenLayers ?? 0 {
            let act = a.layers[l]
            // FFN: residual[l+1] = mid + down(h)
            MatmulOp.backward(dx: a.dh.pointer, dw: g + w.down, dy: dres, x: act.h.pointer, w: p + w.down,
                              n: N, inputs: F, outputs: D, accumulateInput: false, pool: pool)
            SwiGLUOp.backward(dgateUp: a.dGateUp.pointer, dh: a.dh.pointer, gateUp: act.gateUp.pointer, n: N, ff: F, pool: pool)
            MatmulOp.backward(dx: a.dxn.pointer, dw: g + w.gateUp, dy: a.dGateUp.pointer, x: act.xn2.pointer, w: p + w.gateUp,
                              n: N, inputs: D, outputs: 2 * F, accumulateInput: false, pool: pool)
            RMSNormOp.backward(dx: dres, dg: g + w.ffnNorm, dy: a.dxn.pointer, x: act.mid.pointer, g: p + w.ffnNorm,
                               rstd: act.rstd2.pointer, n: N, dim: D, pool: pool)
            // attention: mid = residual[l] + output(y)
            MatmulOp.backward(dx: a.dy.pointer, dw: g + w.output, dy: dres, x: act.y.pointer, w: p + w.output,
                              n: N, inputs: qDim, outputs: D, accumulateInput: false, pool: pool)
            AttentionOp.backward(dqkv: a.dqkv.pointer, dy: a.dy.pointer, att: act.att.pointer, qkv: act.qkv.pointer, shape: shape, pool: pool)
            RoPEOp.apply(a.dqkv.pointer, rows: N, rowStride: qkvDim, heads: c.headCount + c.kvHeadCount,
                         headSize: c.headSize, table: rope!, inverse: true)
            MatmulOp.backward(dx: a.dxn.pointer, dw: g + w.qkv, dy: a.dqkv.pointer, x: act.xn1.pointer, w: p + w.qkv,
                              n: N, inputs: D, outputs: qkvDim, accumulateInput: false, pool: pool)
            RMSNormOp.backward(dx: dres, dg: g + w.attentionNorm, dy: a.dxn.pointer, x: a.residual[l].pointer,
                               g: p + w.attentionNorm, rstd: act.rstd1.pointer, n: N, dim: D, pool: pool)
        }
        if frozenLayers == nil { EmbeddingOp.backward(g + layout.tokenEmbedding, dres, tokens: tokens, n: N, dim: D) }
        return result
    }

    /// Forward and loss only. Returns (Σ weight·loss, Σ weight).
    public func evaluate(tokens: UnsafePointer<Int32>, batch: Int, length: Int, loss: some HeadLoss) -> (loss: Double, weight: Double) {
        let a = prepare(batch: batch, length: length, training: activations?.dResidual.count ?? 0 > 0)
        forwardLayers(tokens, a)
        let c = config
        return OutputHeadOp.run(xn: a.xnFinal.pointer, dxn: nil, embedding: parameters.pointer + layout.tokenEmbedding,
                                dEmbedding: nil, n: a.rows, dim: c.embeddingSize, vocab: c.vocabularySize,
                                scratch: a.logits.pointer, loss: loss, pool: pool)
    }

    /// Logits for every position of one sequence (for tests and evaluation): [T, V].
    public func logits(tokens: [Int32]) -> [Float] {
        let a = prepare(batch: 1, length: tokens.count, training: activations?.dResidual.count ?? 0 > 0)
        tokens.withUnsafeBufferPointer { forwardLayers($0.baseAddress!, a) }
        let V = config.vocabularySize, D = config.embeddingSize
        var out = [Float](repeating: 0, count: tokens.count * V)
        out.withUnsafeMutableBufferPointer { ob in
            Sgemm.gemm(transA: false, transB: true, m: tokens.count, n: V, k: D, a: a.xnFinal.pointer, lda: D,
                       b: parameters.pointer + layout.tokenEmbedding, ldb: D, c: ob.baseAddress!, ldc: V,
                       accumulate: false, pool: pool)
        }
        return out
    }
}

extension TrainingBatch {
    /// Runs `body` with pointers to the inputs and a cross-entropy loss over targets/weights.
    func withCrossEntropy<R>(_ body: (UnsafePointer<Int32>, CrossEntropyLoss) -> R) -> R {
        inputs.withUnsafeBufferPointer { i in
            targets.withUnsafeBufferPointer { t in
                weights.withUnsafeBufferPointer { w in
                    body(i.baseAddress!, CrossEntropyLoss(targets: t.baseAddress!, weights: w.baseAddress!))
                }
            }
        }
    }
}

extension TrainableLlama {
    /// Cross-entropy forward+backward on a batch (gradients accumulate).
    @discardableResult
    public func trainStep(_ b: TrainingBatch) -> (loss: Double, weight: Double) {
        b.withCrossEntropy { trainStep(tokens: $0, batch: b.batch, length: b.length, loss: $1) }
    }

    /// Cross-entropy of a batch without gradients.
    public func evaluate(_ b: TrainingBatch) -> (loss: Double, weight: Double) {
        b.withCrossEntropy { evaluate(tokens: $0, batch: b.batch, length: b.length, loss: $1) }
    }
}
