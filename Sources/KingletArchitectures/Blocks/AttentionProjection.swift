import KingletKernels

extension AttentionWeights {
    /// Q, K and V of a batch, as llama.cpp's `build_qkv` and the per-head norms after it: one
    /// multi-matrix product (fused or not), the biases added, then Q and K normed per head when
    /// the block has the norms. Not yet rotated.
    /// x: [T, D] normed input; q: [T, H·Dh]; k, v: [T, Hkv·Dh].
    func project(_ x: UnsafePointer<Float>, rows T: Int, q: UnsafeMutablePointer<Float>, k: UnsafeMutablePointer<Float>,
                 v: UnsafeMutablePointer<Float>, config c: ModelConfig, trace: Trace, layer l: Int, pool: ThreadPool) {
        Kernels.matmul([wq, wk, wv], x, n: T, [q, k, v], pool: pool)
        if let bq { addBias(q, bq, rows: T, size: wq.rows) }
        if let bk { addBias(k, bk, rows: T, size: wk.rows) }
        if let bv { addBias(v, bv, rows: T, size: wv.rows) }
        if let queryNorm {
            rmsNormPerHead(q, weight: queryNorm, rows: T, heads: c.headCount, headSize: c.headSize, epsilon: c.rmsNormEpsilon)
            trace("Qcur_normed", l, q, T * wq.rows)
        }
        if let keyNorm {
            rmsNormPerHead(k, weight: keyNorm, rows: T, heads: c.kvHeadCount, headSize: c.headSize, epsilon: c.rmsNormEpsilon)
            trace("Kcur_normed", l, k, T * wk.rows)
        }
    }
}

/// y[t] += b for every row t. y: [rows, size]; b: [size].
@inlinable
func addBias(_ y: UnsafeMutablePointer<Float>, _ b: UnsafePointer<Float>, rows: Int, size: Int) {
    for r in 0 ..< rows { addInPlace(y + r * size, b, count: size) }
}

extension TensorLoader {
    /// An F32 vector a file may leave out (biases): nil when absent; present with another shape
    /// or type, the same typed error as `vector`. [n]
    func vectorIfPresent(_ name: String, count: Int) throws(ModelError) -> UnsafePointer<Float>? {
        hasTensor(name) ? try vector(name, count: count) : nil
    }
}
