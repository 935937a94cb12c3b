import Foundation
import KingletKernels

/// What the loss makes of one row of logits: its loss and (optionally) d loss / d logits.
///
/// `row(_:logits:vocab:gradient:)` is called concurrently for different rows. With `gradient`,
/// it overwrites `logits` [V] with the gradient, already scaled by the row's weight in the batch
/// loss; it returns the row's unscaled loss and its weight (0 for a masked row).
public protocol HeadLoss {
    func row(_ r: Int, logits: UnsafeMutablePointer<Float>, vocab: Int, gradient: Bool) -> (loss: Double, weight: Double)
}

/// Softmax cross-entropy against the next token.
///
///   targets  [N]  token ids
///   weights  [N]  per-row weight in the batch loss (1/rows for a mean; 0 masks a row)
struct CrossEntropyLoss: HeadLoss {
    let targets: UnsafePointer<Int32>
    let weights: UnsafePointer<Float>

    func row(_ r: Int, logits: UnsafeMutablePointer<Float>, vocab: Int, gradient: Bool) -> (loss: Double, weight: Double) {
        let w = weights[r]
        if w == 0 { if gradient { logits.update(repeating: 0, count: vocab) }; return (0, 0) }
        let t = Int(targets[r])
        let target = logits[t]
        let m = VectorMath.max(logits, vocab)
        let sum = VectorMath.expShifted(logits, vocab, shift: m)
        let loss = log(sum) + Double(m) - Double(target)
        if gradient {
            VectorMath.scale(logits, vocab, by: Float(Double(w) / sum))
            logits[t] -= w
        }
        return (loss, Double(w))
    }
}

/// The tied output head and its loss, a chunk of rows at a time so the [N, V] logits never exist
/// at once: logits = xn·Eᵀ, the loss turns them into dlogits, then dxn = dlogits·E and
/// dE += dlogitsᵀ·xn.
///
///   xn, dxn   [N, D]   final-normed hidden states and their gradient (overwritten)
///   E, dE     [V, D]   the embedding table (tied output) and its gradient (accumulated)
///   scratch   [R, V]   one chunk of logits
enum OutputHeadOp {
    /// Rows per chunk.
    static let chunkRows = 256

    /// Returns (Σ weight·loss, Σ weight) over the N rows. Without `dxn`/`dE` it only evaluates.
    static func run(xn: UnsafePointer<Float>, dxn: UnsafeMutablePointer<Float>?, embedding: UnsafePointer<Float>,
                    dEmbedding: UnsafeMutablePointer<Float>?, n: Int, dim: Int, vocab: Int,
                    scratch: UnsafeMutablePointer<Float>, loss: some HeadLoss, pool: ThreadPool?) -> (loss: Double, weight: Double) {
        let gradient = dxn != nil && dEmbedding != nil
        var rowLoss = [Double](repeating: 0, count: n), rowWeight = [Double](repeating: 0, count: n)
        var start = 0
        while start < n {
            let rows = min(chunkRows, n - start)
            Sgemm.gemm(transA: false, transB: true, m: rows, n: vocab, k: dim,
                       a: xn + start * dim, lda: dim, b: embedding, ldb: dim, c: scratch, ldc: vocab,
                       accumulate: false, pool: pool)
            rowLoss.withUnsafeMutableBufferPointer { lb in
                rowWeight.withUnsafeMutableBufferPointer { wb in
                    Parallel.rows(rows, pool: pool) { range in
                        for i in range {
                            let (l, w) = loss.row(start + i, logits: scratch + i * vocab, vocab: vocab, gradient: gradient)
                            lb[start + i] = l * w
                            wb[start + i] = w
                        }
                    }
                }
            }
            if gradient, let dxn, let dEmbedding {
                MatmulOp.backward(dx: dxn + start * dim, dw: dEmbedding, dy: scratch, x: xn + start * dim, w: embedding,
                                  n: rows, inputs: dim, outputs: vocab, accumulateInput: false, pool: pool)
            }
            start += rows
        }
        return (rowLoss.reduce(0, +), rowWeight.reduce(0, +))
    }
}
