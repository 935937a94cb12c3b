import Foundation
import KingletKernels

/// What the loss makes of one row of logits: its loss and (optionally) d loss / d logits.
///
/// `row(_:logits:vocab:gradient:)` is called concurrently for different rows. With `gradient`,
/// it overwrites `logits` [V] with the gradient, already scaled by the row's weight in the batch
/// loss; it returns the row's unscaled loss and its weight (0 for a masked row).
/// `weight(of:)` is that weight before any logits exist: the head never forms the logits of a row
/// whose weight is 0 (prompt positions, padding), and `row` is not called for it.
public protocol HeadLoss {
    func row(_ r: Int, logits: UnsafeMutablePointer<Float>, vocab: Int, gradient: Bool) -> (loss: Double, weight: Double)
    func weight(of r: Int) -> Float
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

    func weight(of r: Int) -> Float { weights[r] }
}

/// The tied output head and its loss, a chunk of rows at a time so the [N, V] logits never exist
/// at once: logits = xn·Eᵀ, the loss turns them into dlogits, then dxn = dlogits·E and
/// dE += dlogitsᵀ·xn. Only rows that carry loss are computed: the rows of weight 0 (a prompt's
/// positions, padding: about a quarter of a distillation batch) are left out of all three products, and
/// their dxn is 0 — what the full products give them, without the work.
///
///   xn, dxn   [N, D]   final-normed hidden states and their gradient (overwritten)
///   E, dE     [V, D]   the embedding table (tied output) and its gradient (accumulated; nil: a
///                      frozen table, whose gradient is not formed)
///   scratch   [R, V]   one chunk of logits
enum OutputHeadOp {
    /// Rows per chunk.
    static let chunkRows = 256

    /// Returns (Σ weight·loss, Σ weight) over the N rows. Without `dxn` it only evaluates.
    static func run(xn: UnsafePointer<Float>, dxn: UnsafeMutablePointer<Float>?, embedding: UnsafePointer<Float>,
                    dEmbedding: UnsafeMutablePointer<Float>?, n: Int, dim: Int, vocab: Int,
                    scratch: UnsafeMutablePointer<Float>, loss: some HeadLoss, pool: ThreadPool?) -> (loss: Double, weight: Double) {
        let gradient = dxn != nil
        let active = (0 ..< n).filter { loss.weight(of: $0) != 0 }
        if gradient, let dxn { dxn.update(repeating: 0, count: n * dim) }
        var rowLoss = [Double](repeating: 0, count: active.count), rowWeight = [Double](repeating: 0, count: active.count)
        // the chunk's rows gathered, and their gradient before it is scattered back
        let x = UnsafeMutablePointer<Float>.allocate(capacity: chunkRows * dim), dx = UnsafeMutablePointer<Float>.allocate(capacity: chunkRows * dim)
        defer { x.deallocate(); dx.deallocate() }
        var start = 0
        while start < active.count {
            let rows = min(chunkRows, active.count - start)
            for i in 0 ..< rows { (x + i * dim).update(from: xn + active[start + i] * dim, count: dim) }
            Sgemm.gemm(transA: false, transB: true, m: rows, n: vocab, k: dim,
                       a: x, lda: dim, b: embedding, ldb: dim, c: scratch, ldc: vocab, accumulate: false, pool: pool)
            rowLoss.withUnsafeMutableBufferPointer { lb in
                rowWeight.withUnsafeMutableBufferPointer { wb in
                    Parallel.rows(rows, pool: pool) { range in
                        for i in range {
                            let (l, w) = loss.row(active[start + i], logits: scratch + i * vocab, vocab: vocab, gradient: gradient)
                            lb[start + i] = l * w
                            wb[start + i] = w
                        }
                    }
                }
            }
            if gradient, let dxn {
                MatmulOp.backward(dx: dx, dw: dEmbedding, dy: scratch, x: x, w: embedding,
                                  n: rows, inputs: dim, outputs: vocab, accumulateInput: false, pool: pool)
                for i in 0 ..< rows { (dxn + active[start + i] * dim).update(from: dx + i * dim, count: dim) }
            }
            start += rows
        }
        return (rowLoss.reduce(0, +), rowWeight.reduce(0, +))
    }
}
