// TEMPORARY stand-in until the fast Sgemm lands in KingletKernels (same signature).
import KingletKernels

enum Sgemm {
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                     a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                     c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, pool: ThreadPool?) {
        Parallel.rows(m, pool: pool) { range in
            let row = UnsafeMutablePointer<Float>.allocate(capacity: n)
            defer { row.deallocate() }
            for i in range {
                row.initialize(repeating: 0, count: n)
                for p in 0 ..< k {
                    let av = transA ? a[p * lda + i] : a[i * lda + p]
                    if transB {
                        for j in 0 ..< n { row[j] += av * b[j * ldb + p] }
                    } else {
                        VectorMath.axpy(av, b + p * ldb, row, n)
                    }
                }
                for j in 0 ..< n { c[i * ldc + j] = accumulate ? c[i * ldc + j] + row[j] : row[j] }
            }
        }
    }
}
