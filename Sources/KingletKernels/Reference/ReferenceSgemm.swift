/// The plain Swift fp32 matrix product: three loops, one f32 sum per output element in order
/// p = 0, 1, …, k-1. The reference `Sgemm` is tested against, and what `KINGLET_KERNELS=reference`
/// runs.
public enum ReferenceSgemm {
    /// C[m×n] = op(A)[m×k] · op(B)[k×n] (C += … when `accumulate`), all row-major fp32.
    /// op(A) = A (A is [m×k], lda ≥ k) or Aᵀ when `transA` (A is [k×m], lda ≥ m); likewise B
    /// (B is [k×n], ldb ≥ n, or [n×k], ldb ≥ k, when `transB`). C: [m×n], ldc ≥ n.
    public static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        SgemmShape.check(transA: transA, transB: transB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
        // op(A)[i, p] = a[i * aRow + p * aCol]; op(B)[p, j] = b[p * bRow + j * bCol]
        let (aRow, aCol) = transA ? (1, lda) : (lda, 1)
        let (bRow, bCol) = transB ? (1, ldb) : (ldb, 1)
        for i in 0 ..< m {
            for j in 0 ..< n {
                var sum: Float = 0
                for p in 0 ..< k { sum += a[i * aRow + p * aCol] * b[p * bRow + j * bCol] }
                c[i * ldc + j] = accumulate ? c[i * ldc + j] + sum : sum
            }
        }
    }
}

/// Argument checks shared by every GEMM implementation (programmer errors, not user input).
enum SgemmShape {
    static func check(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, lda: Int, ldb: Int, ldc: Int) {
        precondition(m >= 0 && n >= 0 && k >= 0, "sgemm: negative size m=\(m) n=\(n) k=\(k)")
        precondition(lda >= max(1, transA ? m : k), "sgemm: lda \(lda) < \(transA ? "m" : "k")")
        precondition(ldb >= max(1, transB ? k : n), "sgemm: ldb \(ldb) < \(transB ? "k" : "n")")
        precondition(ldc >= max(1, n), "sgemm: ldc \(ldc) < n")
    }
}
