import Testing
@testable import KingletKernels

/// `Kernels.matmul([W₁, W₂, …], x)` — one job for several products of the same input — must
/// give exactly the separate products, including mixed row counts and mixed partner types.
@Suite struct GroupedMatmulTests {
    @Test(arguments: [1, 3, 17])
    func groupEqualsSeparateProducts(n: Int) {
        var rng = SeededGenerator(seed: UInt64(n))
        let cols = 96
        let ws = [RandomWeights(.q4_1, rows: 40, cols: cols, rng: &rng),
                  RandomWeights(.q4_1, rows: 7, cols: cols, rng: &rng),
                  RandomWeights(.q4_1, rows: 33, cols: cols, rng: &rng)]
        let x = randomActivations(n * cols, rng: &rng)
        for threads in [1, 2, 3] {
            let pool = ThreadPool(threads: threads)
            var separate = ws.map { [Float](repeating: 0, count: n * $0.matrix.rows) }
            for i in ws.indices { Kernels.matmul(ws[i].matrix, x, n: n, &separate[i], pool: pool) }
            let outs = ws.map { UnsafeMutablePointer<Float>.allocate(capacity: n * $0.matrix.rows) }
            defer { outs.forEach { $0.deallocate() } }
            Kernels.matmul(ws.map(\.matrix), x, n: n, outs, pool: pool)
            for i in ws.indices {
                #expect(Array(UnsafeBufferPointer(start: outs[i], count: n * ws[i].matrix.rows)) == separate[i],
                        "matrix \(i), n \(n), threads \(threads)")
            }
        }
    }

    @Test func mixedPartnerTypesFallBack() {
        var rng = SeededGenerator(seed: 9)
        let cols = 64
        let a = RandomWeights(.q4_1, rows: 5, cols: cols, rng: &rng), b = RandomWeights(.q8_0, rows: 6, cols: cols, rng: &rng)
        let x = randomActivations(2 * cols, rng: &rng)
        let pool = ThreadPool(threads: 2)
        var ra = [Float](repeating: 0, count: 10), rb = [Float](repeating: 0, count: 12)
        Kernels.matmul(a.matrix, x, n: 2, &ra, pool: pool)
        Kernels.matmul(b.matrix, x, n: 2, &rb, pool: pool)
        let oa = UnsafeMutablePointer<Float>.allocate(capacity: 10), ob = UnsafeMutablePointer<Float>.allocate(capacity: 12)
        defer { oa.deallocate(); ob.deallocate() }
        Kernels.matmul([a.matrix, b.matrix], x, n: 2, [oa, ob], pool: pool)
        #expect(Array(UnsafeBufferPointer(start: oa, count: 10)) == ra)
        #expect(Array(UnsafeBufferPointer(start: ob, count: 12)) == rb)
    }
}
