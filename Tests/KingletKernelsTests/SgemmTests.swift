// Sgemm's blocked backends (AVX2 C tile, portable Swift SIMD) held to ReferenceSgemm.
//
// Two kinds of data:
//   - small integers (|a|, |b|, |C₀| ≤ 4): every product and partial sum is an integer below
//     2²⁴, so each backend must equal the reference exactly, whatever its summation order;
//   - random floats: both sides round, each element's error is at most γ·(Σ_p |a_ip·b_pj| + |C₀|)
//     with γ = (roundings)·2⁻²⁴. The reference rounds 2k + 1 times (products, sums, + C₀); the
//     blocked path at most 2k + ⌈k/KC⌉ + 1 (unfused multiply-adds on baseline x86, plus one add
//     per depth block), so we allow (4k + 4)·2⁻²⁴ of that magnitude. A wrong or missing term is
//     ≈ magnitude/k, orders of magnitude more.
// Plus: bit-identical results for 1, 2 and 3 threads, and C's padding never written.
import Testing
@testable import KingletKernels

/// One GEMM's operands in row-major storage with padded leading dimensions.
struct SgemmOperands {
    let transA: Bool, transB: Bool
    let m: Int, n: Int, k: Int
    let lda: Int, ldb: Int, ldc: Int
    var a: [Float]   // [m, lda] or, transposed, [k, lda]
    var b: [Float]   // [k, ldb] or, transposed, [n, ldb]
    var c: [Float]   // [m, ldc]; columns past n are padding

    /// Operands with `pad` extra columns on every leading dimension, filled by `value`.
    init(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, pad: Int, value: () -> Float) {
        (self.transA, self.transB, self.m, self.n, self.k) = (transA, transB, m, n, k)
        lda = (transA ? m : k) + pad
        ldb = (transB ? k : n) + pad
        ldc = n + pad
        a = (0 ..< (transA ? k : m) * lda).map { _ in value() }
        b = (0 ..< (transB ? n : k) * ldb).map { _ in value() }
        c = (0 ..< m * ldc).map { _ in value() }
    }

    func opA(_ i: Int, _ p: Int) -> Float { transA ? a[p * lda + i] : a[i * lda + p] }
    func opB(_ p: Int, _ j: Int) -> Float { transB ? b[j * ldb + p] : b[p * ldb + j] }

    /// C after the product with `backend` (the operands are left as they are).
    func product(_ backend: SgemmBackend, accumulate: Bool, pool: ThreadPool? = nil,
                 blocking: SgemmBlocking = .standard) -> [Float] {
        var out = c
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                out.withUnsafeMutableBufferPointer { c in
                    let problem = SgemmProblem(
                        transA: transA, transB: transB, m: m, n: n, k: k, a: a.baseAddress!, lda: lda,
                        b: b.baseAddress!, ldb: ldb, c: c.baseAddress!, ldc: ldc, accumulate: accumulate)
                    backend.run(problem, pool: pool, blocking: blocking)
                }
            }
        }
        return out
    }

    /// nil when `got` and `expected` (both shaped like C) are equal bit for bit, else where
    /// they first differ.
    func firstDifference(_ got: [Float], _ expected: [Float]) -> String? {
        guard let at = got.indices.first(where: { got[$0].bitPattern != expected[$0].bitPattern }) else { return nil }
        return "C[\(at / ldc), \(at % ldc)] = \(got[at]), expected \(expected[at])"
    }

    /// Σ_p |op(A)[i, p]·op(B)[p, j]| + |C₀[i, j]|: the scale of element (i, j)'s rounding error.
    func magnitude(_ i: Int, _ j: Int) -> Float {
        var s = abs(c[i * ldc + j])
        for p in 0 ..< k { s += abs(opA(i, p) * opB(p, j)) }
        return s
    }
}

@Suite("Sgemm")
struct SgemmTests {
    static let blocked: [SgemmBackend] = SgemmBackend.allRunnable().filter { $0.name != "reference" }
    /// (transA, transB): NN, NT, TN, TT.
    static let transposes = [(false, false), (false, true), (true, false), (true, true)]
    /// (m, n, k): ones, odd sizes, exact tiles, ragged edges, several depth blocks (k > 256),
    /// several row blocks (m > 144), the two-tile-row case that reads B in place (m ≤ 12), and
    /// a deep product (k ≥ 8192, deeper blocks).
    static let shapes: [(Int, Int, Int)] = [
        (1, 1, 1), (1, 17, 5), (7, 1, 3), (6, 16, 8), (5, 15, 9), (13, 33, 17), (64, 64, 32),
        (12, 40, 300), (3, 50, 600), (100, 70, 520), (150, 20, 33), (31, 129, 257), (14, 19, 8300),
    ]

    @Test func x86WithAVX2RunsTheAVX2Path() {
        #if arch(x86_64)
        if KernelTable.reference().cpuFeatures.contains("avx2+fma+f16c") {
            #expect(Self.blocked.first?.name == "avx2")
        }
        #endif
        #expect(Self.blocked.contains { $0.name == "simd" })
        #expect(["avx2", "simd", "reference"].contains(Sgemm.implementation))
    }

    @Test(arguments: 0 ..< 4)
    func integerDataMatchesReferenceExactly(transpose: Int) {
        let (transA, transB) = Self.transposes[transpose]
        var rng = SeededGenerator(seed: 0xA11 + UInt64(transpose))
        for (m, n, k) in Self.shapes {
            for pad in [0, 3] {
                let ops = SgemmOperands(transA: transA, transB: transB, m: m, n: n, k: k, pad: pad) {
                    Float(Int.random(in: -4 ... 4, using: &rng))
                }
                for accumulate in [false, true] {
                    let expected = ops.product(.reference, accumulate: accumulate)
                    for backend in Self.blocked {
                        let difference = ops.firstDifference(ops.product(backend, accumulate: accumulate), expected)
                        #expect(difference == nil, "\(difference ?? "") — \(backend.name) \(transA ? "T" : "N")\(transB ? "T" : "N") \(m)×\(n)×\(k) pad \(pad) accumulate \(accumulate)")
                    }
                }
            }
        }
    }

    @Test(arguments: 0 ..< 4)
    func randomDataWithinRoundingBound(transpose: Int) {
        let (transA, transB) = Self.transposes[transpose]
        var rng = SeededGenerator(seed: 0xF10A7 + UInt64(transpose))
        for (m, n, k) in Self.shapes {
            let ops = SgemmOperands(transA: transA, transB: transB, m: m, n: n, k: k, pad: 2) {
                Float.random(in: -1 ... 1, using: &rng)
            }
            let expected = ops.product(.reference, accumulate: true)
            let gamma = Float(4 * k + 4) * 0x1p-24
            for backend in Self.blocked {
                let got = ops.product(backend, accumulate: true)
                var worst: Float = 0   // largest error / allowed
                for i in 0 ..< m {
                    for j in 0 ..< n {
                        let e = abs(got[i * ops.ldc + j] - expected[i * ops.ldc + j])
                        worst = max(worst, e / (gamma * ops.magnitude(i, j)))
                    }
                }
                #expect(worst <= 1, "\(backend.name) \(m)×\(n)×\(k): error \(worst)× the bound")
            }
        }
    }

    @Test func paddingOfCIsNeverWritten() {
        var rng = SeededGenerator(seed: 7)
        for (transA, transB) in Self.transposes {
            for (m, n, k) in Self.shapes {
                let ops = SgemmOperands(transA: transA, transB: transB, m: m, n: n, k: k, pad: 5) {
                    Float.random(in: -1 ... 1, using: &rng)
                }
                for backend in Self.blocked {
                    let got = ops.product(backend, accumulate: false)
                    let untouched = (0 ..< m).allSatisfy { i in (n ..< ops.ldc).allSatisfy { got[i * ops.ldc + $0] == ops.c[i * ops.ldc + $0] } }
                    #expect(untouched, "\(backend.name) \(m)×\(n)×\(k)")
                }
            }
        }
    }

    /// Large enough for the pool (≥ 2 Mflop): several pieces per thread, several depth blocks,
    /// two column blocks (n > 4096), A packed per piece (2048 rows) or shared, B read in place
    /// (11 rows), deep blocks (k ≥ 8192).
    @Test(arguments: 0 ..< 4)
    func resultsAreBitIdenticalForAnyThreadCount(transpose: Int) {
        let (transA, transB) = Self.transposes[transpose]
        var rng = SeededGenerator(seed: 0xB17 + UInt64(transpose))
        let pools = [1, 2, 3].map { ThreadPool(threads: $0) }
        for (m, n, k) in [(300, 200, 600), (20, 4200, 300), (11, 500, 700), (2048, 48, 64), (40, 24, 9000)] {
            let ops = SgemmOperands(transA: transA, transB: transB, m: m, n: n, k: k, pad: 1) {
                Float.random(in: -1 ... 1, using: &rng)
            }
            for backend in Self.blocked {
                for accumulate in [false, true] {
                    let results = pools.map { ops.product(backend, accumulate: accumulate, pool: $0) }
                    for (threads, result) in zip([2, 3], results.dropFirst()) {
                        let difference = ops.firstDifference(result, results[0])
                        #expect(difference == nil, "\(difference ?? "") — \(backend.name) \(m)×\(n)×\(k) accumulate \(accumulate), \(threads) threads vs 1")
                    }
                }
            }
        }
    }

    /// Tiny blocks so that every loop of the driver runs many times: several column, depth and
    /// row blocks, ragged in each, on 1 and 3 threads.
    @Test func smallBlocksMatchReferenceExactly() {
        let tiny = SgemmBlocking(mc: 12, kc: 16, nc: 32)
        var rng = SeededGenerator(seed: 0x5A11)
        let pool = ThreadPool(threads: 3)
        for (transA, transB) in Self.transposes {
            for (m, n, k) in [(37, 75, 51), (130, 90, 40), (9, 100, 45)] {
                let ops = SgemmOperands(transA: transA, transB: transB, m: m, n: n, k: k, pad: 2) {
                    Float(Int.random(in: -4 ... 4, using: &rng))
                }
                let expected = ops.product(.reference, accumulate: true)
                for backend in Self.blocked {
                    for threads in [nil, pool] {
                        let difference = ops.firstDifference(ops.product(backend, accumulate: true, pool: threads, blocking: tiny), expected)
                        #expect(difference == nil, "\(difference ?? "") — \(backend.name) \(m)×\(n)×\(k), \(threads?.threadCount ?? 1) thread(s)")
                    }
                }
            }
        }
    }

    @Test func zeroDepthClearsOrKeepsC() {
        var rng = SeededGenerator(seed: 3)
        let ops = SgemmOperands(transA: false, transB: false, m: 4, n: 5, k: 0, pad: 1) { Float.random(in: 1 ... 2, using: &rng) }
        for backend in SgemmBackend.allRunnable() {
            #expect(ops.product(backend, accumulate: true) == ops.c)
            let cleared = ops.product(backend, accumulate: false)
            #expect((0 ..< 4).allSatisfy { i in (0 ..< 5).allSatisfy { cleared[i * ops.ldc + $0] == 0 } })
            #expect(cleared[5] == ops.c[5], "padding kept")
        }
    }

    /// The C and Swift packers write the same panels (the layouts the tile kernels rely on).
    @Test func packersAgreeOnTheLayout() {
        guard Self.blocked.count > 1, case .blocked(let fast) = Self.blocked[0] else { return }
        var rng = SeededGenerator(seed: 11)
        let src = (0 ..< 40 * 41).map { _ in Float.random(in: -1 ... 1, using: &rng) }   // [40, 41]
        for trans in [false, true] {
            for (rows, depth) in [(1, 1), (6, 8), (7, 13), (17, 30), (40, 40)] {
                let aSize = SgemmDriver.ceilDiv(rows, 6) * depth * 6, bSize = SgemmDriver.ceilDiv(rows, 16) * depth * 16
                // 8 NaNs past the end of each: a packer must not write there
                var a1 = [Float](repeating: .nan, count: aSize + 8), a2 = a1, b1 = [Float](repeating: .nan, count: bSize + 8), b2 = b1
                src.withUnsafeBufferPointer { s in
                    fast.packA(s.baseAddress!, 41, trans, rows, depth, &a1)
                    SgemmKernels.portable.packA(s.baseAddress!, 41, trans, rows, depth, &a2)
                    fast.packB(s.baseAddress!, 41, trans, rows, depth, &b1)
                    SgemmKernels.portable.packB(s.baseAddress!, 41, trans, rows, depth, &b2)
                }
                #expect(a1[..<aSize] == a2[..<aSize], "A panels, trans \(trans), \(rows)×\(depth)")
                #expect(b1[..<bSize] == b2[..<bSize], "B panels, trans \(trans), \(depth)×\(rows)")
                let tails = Array(a1[aSize...]) + Array(a2[aSize...]) + Array(b1[bSize...]) + Array(b2[bSize...])
                let untouched = tails.allSatisfy { $0.isNaN }
                #expect(untouched, "written past the panels")
            }
        }
    }
}
