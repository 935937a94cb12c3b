// fp32 matrix multiply for training: C (+)= op(A) · op(B), row-major, any shape and strides.
//
// The fast path packs panels of A and B and runs a 6×16 register tile (Goto/BLIS style; see
// SgemmDriver.swift). Threads split the output tiles only, never k, and the blocking depends on
// the shape alone, so every element is summed in the same order for any thread count: results
// are bit-identical for 1, 2 or 3 threads (on one backend; backends round differently).
//
// Legend: m, n = rows and columns of C; k = the summed dimension.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CKingletKernels

/// Single-precision GEMM, dispatched once per process (AVX2+FMA C tile on x86, portable Swift
/// SIMD elsewhere; `KINGLET_KERNELS=reference` or `=simd` forces a slower one).
public enum Sgemm {
    /// C[m×n] = op(A)[m×k] · op(B)[k×n]  (accumulate: C += ...), all row-major fp32.
    /// op(A) = A (A is [m×k], lda ≥ k) or Aᵀ when transA (A is [k×m], lda ≥ m); likewise B
    /// (B is [k×n], ldb ≥ n, or [n×k], ldb ≥ k, when transB). C: [m×n], ldc ≥ n; C must not
    /// overlap A or B. `pool` splits the output tiles over its threads (nil: the calling thread
    /// only; pass nil from inside one of the pool's own jobs); the result does not depend on the
    /// thread count, bit for bit. Products under ~2 Mflop run on the calling thread.
    public static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, pool: ThreadPool?
    ) {
        let problem = SgemmProblem(
            transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
            c: c, ldc: ldc, accumulate: accumulate)
        native.run(problem, pool: pool)
    }

    /// The implementation `gemm` runs here: "avx2", "simd" or "reference".
    public static var implementation: String { native.name }

    /// Chosen once: `KINGLET_KERNELS=<name>` picks a runnable backend by name (other values,
    /// such as the quantized table's "avx512-vnni", leave the fastest in place).
    static let native: SgemmBackend = {
        let runnable = SgemmBackend.allRunnable()
        if let forced = getenv("KINGLET_KERNELS").map({ String(cString: $0) }),
           let backend = runnable.first(where: { $0.name == forced }) {
            return backend
        }
        return runnable[0]
    }()
}

/// One GEMM call's arguments (see `Sgemm.gemm`).
struct SgemmProblem {
    var transA: Bool, transB: Bool
    var m: Int, n: Int, k: Int
    var a: UnsafePointer<Float>, lda: Int     // [m, lda] or, transposed, [k, lda]
    var b: UnsafePointer<Float>, ldb: Int     // [k, ldb] or, transposed, [n, ldb]
    var c: UnsafeMutablePointer<Float>, ldc: Int  // [m, ldc]
    var accumulate: Bool

    /// &op(A)[i, p]
    func opA(_ i: Int, _ p: Int) -> UnsafePointer<Float> { transA ? a + p * lda + i : a + i * lda + p }
    /// &op(B)[p, j]
    func opB(_ p: Int, _ j: Int) -> UnsafePointer<Float> { transB ? b + j * ldb + p : b + p * ldb + j }
}

/// A GEMM implementation: the blocked driver over a set of tile kernels, or the reference loops.
enum SgemmBackend: Sendable {
    case blocked(SgemmKernels)
    case reference

    var name: String {
        switch self {
        case .blocked(let kernels): kernels.name
        case .reference: "reference"
        }
    }

    func run(_ p: SgemmProblem, pool: ThreadPool?, blocking: SgemmBlocking = .standard) {
        switch self {
        case .blocked(let kernels):
            SgemmShape.check(transA: p.transA, transB: p.transB, m: p.m, n: p.n, k: p.k, lda: p.lda, ldb: p.ldb, ldc: p.ldc)
            SgemmDriver(kernels: kernels, blocking: blocking).run(p, pool: pool)
        case .reference:
            ReferenceSgemm.gemm(
                transA: p.transA, transB: p.transB, m: p.m, n: p.n, k: p.k, a: p.a, lda: p.lda,
                b: p.b, ldb: p.ldb, c: p.c, ldc: p.ldc, accumulate: p.accumulate)
        }
    }

    /// Every backend this CPU runs, fastest first, ending with the reference.
    static func allRunnable() -> [SgemmBackend] {
        var backends: [SgemmBackend] = []
        #if arch(x86_64)
        if kk_cpu_features() & UInt32(KK_CPU_AVX2) != 0 { backends.append(.blocked(.avx2)) }
        #endif
        backends.append(.blocked(.portable))
        backends.append(.reference)
        return backends
    }
}
