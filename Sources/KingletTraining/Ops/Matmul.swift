import KingletKernels

/// The linear layer y = x·Wᵀ and its backward, on the fp32 GEMM.
///
///   x  [N, IN]    input rows
///   W  [OUT, IN]  weight (GGUF layout: one output feature per row)
///   y  [N, OUT]
enum MatmulOp {
    /// y = x·Wᵀ
    static func forward(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                        n: Int, inputs: Int, outputs: Int, pool: ThreadPool?) {
        Sgemm.gemm(transA: false, transB: true, m: n, n: outputs, k: inputs,
                   a: x, lda: inputs, b: w, ldb: inputs, c: y, ldc: outputs, accumulate: false, pool: pool)
    }

    /// dx (+)= dy·W and dW += dyᵀ·x. `accumulateInput` adds into dx instead of overwriting it;
    /// a nil `dx` or `dw` (a frozen weight) is not formed.
    static func backward(dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>?,
                         dy: UnsafePointer<Float>, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
                         n: Int, inputs: Int, outputs: Int, accumulateInput: Bool, pool: ThreadPool?) {
        if let dx {
            Sgemm.gemm(transA: false, transB: false, m: n, n: inputs, k: outputs,
                       a: dy, lda: outputs, b: w, ldb: inputs, c: dx, ldc: inputs, accumulate: accumulateInput, pool: pool)
        }
        if let dw {
            Sgemm.gemm(transA: true, transB: false, m: outputs, n: inputs, k: n,
                       a: dy, lda: outputs, b: x, ldb: inputs, c: dw, ldc: inputs, accumulate: true, pool: pool)
        }
    }
}
