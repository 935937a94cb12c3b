import Foundation
import KingletKernels

/// What pruning ranks by, measured on calibration text with the model's own forward pass:
///
/// - per layer, the KL divergence of the model's next-token distribution from itself when that
///   one layer is skipped (its input passed through), averaged over positions: what the layer
///   contributes to the output (a layer whose removal moves nothing is the first to go). One
///   ranking decides all the layers that go: re-measuring after each removal (greedy, in 5 or 14
///   rounds) chose nearly the same layers and started no better (SmolLM2-135M cut to 16 layers,
///   untrained Q4_1 top-1 0.269 / 0.298 against 0.304 one-shot; see `DistillRecipe`);
/// - per layer, the block influence 1 − cos(input, output) of the residual stream (ShortGPT's
///   measure; reported beside the KL, which decides);
/// - per layer and feed-forward channel, the mean |silu(gate)·up| activation (Minitron's
///   activation importance): a channel that is rarely active contributes little through `down`.
public struct CalibrationStatistics: Sendable, Equatable {
    /// [L] mean KL(full ‖ without layer l) per position, in nats.
    public var layerDropKL: [Double]
    /// [L] 1 − mean cosine similarity of the layer's input and output.
    public var blockInfluence: [Double]
    /// [L][F] mean |h| per feed-forward channel.
    public var channelMagnitude: [[Double]]
    /// Positions measured.
    public var tokens: Int

    /// Measures `model` on `windows` (each `length` tokens): one full forward pass, then one per
    /// layer with that layer skipped. A skipping pass resumes at its layer from the full pass's
    /// residual stream (layers in descending order, so no pass overwrites an input a later one
    /// reads): L + 1 output heads and about L/2 + 1 forward passes over the tokens.
    public static func measure(_ model: TrainableLlama, windows: [[Int32]], length: Int) -> CalibrationStatistics {
        precondition(!windows.isEmpty && windows.allSatisfy { $0.count == length }, "calibration windows must be \(length) tokens each")
        let c = model.config, B = windows.count, N = B * length, D = c.embeddingSize, F = c.feedForwardSize, L = c.layerCount
        let tokens = windows.flatMap { $0 }
        let a = model.prepare(batch: B, length: length, training: false)
        var reference = [Float](repeating: 0, count: N * c.vocabularySize)   // [N, V] log-probabilities
        var influence = [Double](repeating: 0, count: L)
        var magnitude = [[Double]](repeating: [], count: L)
        tokens.withUnsafeBufferPointer { t in
            model.forwardLayers(t.baseAddress!, a)
            reference.withUnsafeMutableBufferPointer { model.logSoftmaxHead(a, into: $0.baseAddress!) }
            for l in 0 ..< L {
                influence[l] = 1 - meanCosine(a.residual[l].pointer, a.residual[l + 1].pointer, rows: N, dim: D)
                let h = a.layers[l].h.pointer
                var m = [Double](repeating: 0, count: F)
                for r in 0 ..< N { for j in 0 ..< F { m[j] += Double(abs(h[r * F + j])) } }
                magnitude[l] = m.map { $0 / Double(N) }
            }
        }
        var dropKL = [Double](repeating: 0, count: L)
        var skipped = [Float](repeating: 0, count: N * c.vocabularySize)
        tokens.withUnsafeBufferPointer { t in
            for l in (0 ..< L).reversed() {
                model.forwardLayers(t.baseAddress!, a, skipping: [l], resumingAt: l)
                skipped.withUnsafeMutableBufferPointer { model.logSoftmaxHead(a, into: $0.baseAddress!) }
                dropKL[l] = meanKL(reference, skipped, rows: N, vocabulary: c.vocabularySize, pool: model.pool)
            }
        }
        return CalibrationStatistics(layerDropKL: dropKL, blockInfluence: influence, channelMagnitude: magnitude, tokens: N)
    }

    /// Mean over rows of Σ p·(log p − log q), from log-probabilities [rows, V].
    static func meanKL(_ p: [Float], _ q: [Float], rows: Int, vocabulary V: Int, pool: ThreadPool?) -> Double {
        var perRow = [Double](repeating: 0, count: rows)
        p.withUnsafeBufferPointer { pb in
            q.withUnsafeBufferPointer { qb in
                perRow.withUnsafeMutableBufferPointer { buffer in
                    let out = buffer.baseAddress!, pb = pb.baseAddress!, qb = qb.baseAddress!
                    let body = { (range: Range<Int>) in
                        for r in range {
                            var s = 0.0
                            for v in r * V ..< (r + 1) * V {
                                let lp = Double(pb[v])
                                s += exp(lp) * (lp - Double(qb[v]))
                            }
                            out[r] = max(s, 0)
                        }
                    }
                    if let pool { pool.parallelFor(rows, body) } else { body(0 ..< rows) }
                }
            }
        }
        return perRow.reduce(0, +) / Double(max(rows, 1))
    }

    private static func meanCosine(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, rows: Int, dim: Int) -> Double {
        var total = 0.0
        for r in 0 ..< rows {
            var xy = 0.0, xx = 0.0, yy = 0.0
            for j in 0 ..< dim {
                let a = Double(x[r * dim + j]), b = Double(y[r * dim + j])
                xy += a * b; xx += a * a; yy += b * b
            }
            total += xx > 0 && yy > 0 ? xy / (xx * yy).squareRoot() : 1
        }
        return total / Double(max(rows, 1))
    }
}

extension TrainableLlama {
    /// Log-probabilities [N, V] of the output head over the last forward pass's final-norm output.
    func logSoftmaxHead(_ a: Activations, into out: UnsafeMutablePointer<Float>) {
        let N = a.rows, V = config.vocabularySize, D = config.embeddingSize
        Sgemm.gemm(transA: false, transB: true, m: N, n: V, k: D, a: a.xnFinal.pointer, lda: D,
                   b: parameters.pointer + layout.tokenEmbedding, ldb: D, c: out, ldc: V, accumulate: false, pool: pool)
        let body = { (range: Range<Int>) in
            for r in range {
                let row = out + r * V
                var m = -Float.infinity
                for v in 0 ..< V { m = max(m, row[v]) }
                var s = 0.0
                for v in 0 ..< V { s += Double(exp(row[v] - m)) }
                let lse = m + Float(log(s))
                for v in 0 ..< V { row[v] -= lse }
            }
        }
        if let pool { pool.parallelFor(N, body) } else { body(0 ..< N) }
    }
}
