// Every fast table this CPU runs, held to the reference table.
//
// Tolerances (the x86 Q4_0…Q8_0 kernels are held bit for bit below: they do the reference's f32 work).
// Both tables convert activations identically (checked bit for bit in
// ActivationQuantizeTests) and, for quantized types, compute each block's integer dot exactly
// and scale it by the same f32 product d_w·d_x; they differ only in the order the per-block
// (or, for float types, per-element) f32 terms are summed (the fast kernels keep 8 lanes per
// block). With random signs that error grows like √terms · ε · Σ|terms|: ≈ 1e-6 for the longest
// rows here (1536 columns), and we observe ≤ 4e-7. We allow, relative to Σ_c |W[r,c]|·|x[c]|,
//   quantized types:     1e-5
//   F32 / F16 / BF16:    2e-5 (up to 1536 terms instead of 48 blocks)
// Any real bug (wrong nibble order, scale, offset or sign) shows up at ≥ 1e-3: the size of the
// 8-bit activation rounding (amax/254 per element).
import Testing
@testable import KingletKernels

@Suite("Fast kernels vs reference")
struct FastKernelTests {
    static let fastTables = KernelTable.allRunnable().filter { $0.name != "reference" }
    static let weightTypes: [QuantType] = [.f32, .f16, .bf16, .q8_0, .q4_0, .q4_1, .q5_0, .q5_1, .q4_K, .q6_K, .q2_K, .q3_K, .q5_K]

    static func tolerance(_ type: QuantType) -> Float {
        switch type {
        case .f32, .f16, .bf16: return 2e-5
        default: return 1e-5
        }
    }

    @Test func x86WithAVX2HasAFastTable() {
        #if arch(x86_64)
        let features = KernelTable.reference().cpuFeatures
        if features.contains("avx2+fma+f16c") { #expect(!Self.fastTables.isEmpty) }
        #endif
    }

    @Test(arguments: weightTypes)
    func matmulMatchesReference(type: QuantType) throws {
        var rng = SeededGenerator(seed: 0x5EED + UInt64(type.rawValue))
        let shapes: [(rows: Int, cols: Int)] = type.blockSize == 256
            ? [(1, 256), (3, 512), (7, 768), (33, 256), (70, 512), (17, 1536)]
            : [(1, 32), (3, 64), (7, 96), (33, 576), (70, 160), (17, 1536)]
                + (type.blockSize == 1 ? [(5, 13), (9, 37), (4, 8)] : [])
        let reference = KernelTable.reference()
        for table in Self.fastTables {
            for (rows, cols) in shapes {
                let weights = RandomWeights(type, rows: rows, cols: cols, rng: &rng)
                for n in [1, 2, 3, 5, 6, 7, 17] {   // ≥ 2: x86 Q4–Q8 types take the 8-row interleaved tiles (4-token groups on VNNI, tails of 1–3)
                    let x = randomActivations(n * cols, rng: &rng)                  // [n, cols]
                    var expected = [Float](repeating: .nan, count: n * rows)         // [n, rows]
                    let pool1 = ThreadPool(threads: 1)
                    Kernels.matmul(weights.matrix, x, n: n, &expected, pool: pool1, table: reference)
                    for threads in 1...3 {
                        let pool = ThreadPool(threads: threads)
                        var got = [Float](repeating: .nan, count: n * rows)
                        Kernels.matmul(weights.matrix, x, n: n, &got, pool: pool, table: table)
                        var worst: Float = 0
                        for t in 0..<n {
                            for r in 0..<rows {
                                let mag = x.withUnsafeBufferPointer { magnitude(weights.matrix, row: r, $0.baseAddress! + t * cols) }
                                let err = abs(got[t * rows + r] - expected[t * rows + r]) / max(mag, 1e-30)
                                worst = max(worst, err.isNaN ? .infinity : err)
                            }
                        }
                        #expect(worst <= Self.tolerance(type),
                                "\(table.name) \(type) \(rows)x\(cols) n=\(n) threads=\(threads): rel err \(worst)")
                    }
                }
            }
        }
    }

    /// On x86 Q4_0, Q4_1, Q5_0, Q5_1 and Q8_0 sum each block's integer dot whole and then do the
    /// reference's f32 operations in its order, so they must equal the reference bit for bit: one
    /// token (8-row groups), batches (row-interleaved tiles from 2 tokens, every token tail), row
    /// counts that leave 1–7 rows after the last 8, 1–3 threads.
    @Test(arguments: [QuantType.q4_0, .q4_1, .q5_0, .q5_1, .q8_0])
    func x86BlockKindsEqualTheReferenceExactly(type: QuantType) throws {
        #if arch(x86_64)
        let tables = Self.fastTables.filter { $0.rounding == .x86 }
        #expect(!tables.isEmpty || !KernelTable.reference().cpuFeatures.contains("avx2+fma+f16c"))
        var rng = SeededGenerator(seed: 0xE8AC + UInt64(type.rawValue))
        let reference = KernelTable.reference()
        for (rows, cols) in [(1, 32), (7, 96), (21, 640), (40, 576), (17, 1536)] {
            let weights = RandomWeights(type, rows: rows, cols: cols, rng: &rng)
            for n in [1, 2, 3, 4, 5, 6, 9] {
                let x = randomActivations(n * cols, rng: &rng)                          // [n, cols]
                var expected = [Float](repeating: .nan, count: n * rows)
                Kernels.matmul(weights.matrix, x, n: n, &expected, pool: ThreadPool(threads: 1), table: reference)
                for table in tables {
                    for threads in 1...3 {
                        var got = [Float](repeating: .nan, count: n * rows)
                        Kernels.matmul(weights.matrix, x, n: n, &got, pool: ThreadPool(threads: threads), table: table)
                        let differ = (0 ..< n * rows).filter { got[$0].bitPattern != expected[$0].bitPattern }
                        #expect(differ.isEmpty, "\(table.name) \(type) \(rows)x\(cols) n=\(n) threads=\(threads): \(differ.count) outputs differ from the reference, first [t \(differ.first.map { $0 / rows } ?? 0), r \(differ.first.map { $0 % rows } ?? 0)]")
                    }
                }
            }
        }
        #endif
    }

    /// A matrix × one token runs in row tiles (x86: 8 rows, then the 1–7 left); every row must
    /// come out bit for bit as when it is the only row. The 8-row tile's one transposed reduction adds in hsum's order, so no
    /// tolerance applies here. 37 rows × 640 columns: Gemma 3's head width, every tile size.
    @Test(arguments: weightTypes)
    func matvecTilesMatchSingleRowsExactly(type: QuantType) throws {
        var rng = SeededGenerator(seed: 0x7115 + UInt64(type.rawValue))
        let rows = 37, cols = type.blockSize == 1 ? 160 : type.blockSize == 256 ? 768 : 640
        let weights = RandomWeights(type, rows: rows, cols: cols, rng: &rng)
        let x = randomActivations(cols, rng: &rng)                                   // [cols]
        let pool = ThreadPool(threads: 1)
        for table in Self.fastTables {
            var tiled = [Float](repeating: .nan, count: rows)                          // [rows]
            Kernels.matmul(weights.matrix, x, n: 1, &tiled, pool: pool, table: table)
            for r in 0..<rows {
                let one = try WeightMatrix(type: type, rows: 1, cols: cols, data: weights.matrix.row(r))
                var single: Float = .nan
                Kernels.matmul(one, x, n: 1, &single, pool: pool, table: table)
                #expect(tiled[r].bitPattern == single.bitPattern, "\(table.name) \(type) row \(r)")
            }
        }
    }

    /// A batch gives every token bit for bit what it gets alone: results never depend on how many
    /// tokens (prompt chunks, sequences batched by the server) share a product. On x86 batches of
    /// 2+ tokens of Q4_0…Q8_0 take the 8-row interleaved tiles, which must repeat the
    /// one-token arithmetic lane for lane. 21 rows (8 + 8 + 5 left to the plain tiles) × 640 and
    /// × 96 columns; 4 to 17 tokens (every tail); 1 and 2 threads (other row splits).
    @Test(arguments: weightTypes)
    func batchesMatchOneTokenAtATimeExactly(type: QuantType) throws {
        var rng = SeededGenerator(seed: 0xBA7C + UInt64(type.rawValue))
        let cols0 = type.blockSize == 1 ? 160 : type.blockSize == 256 ? 768 : 640
        for cols in [cols0, type.blockSize == 256 ? 256 : 96] {
            let rows = 21
            let weights = RandomWeights(type, rows: rows, cols: cols, rng: &rng)
            for n in [4, 5, 6, 7, 17] {
                let x = randomActivations(n * cols, rng: &rng)                             // [n, cols]
                for table in Self.fastTables {
                    var alone = [Float](repeating: .nan, count: n * rows)
                    let pool1 = ThreadPool(threads: 1)
                    for t in 0..<n {
                        var out = [Float](repeating: .nan, count: rows)
                        Array(x[t * cols ..< (t + 1) * cols]).withUnsafeBufferPointer { xt in
                            Kernels.matmul(weights.matrix, Array(xt), n: 1, &out, pool: pool1, table: table)
                        }
                        for r in 0..<rows { alone[t * rows + r] = out[r] }
                    }
                    for threads in 1...2 {
                        var batched = [Float](repeating: .nan, count: n * rows)
                        Kernels.matmul(weights.matrix, x, n: n, &batched, pool: ThreadPool(threads: threads), table: table)
                        let differ = (0 ..< n * rows).filter { batched[$0].bitPattern != alone[$0].bitPattern }
                        #expect(differ.isEmpty, "\(table.name) \(type) \(rows)x\(cols) n=\(n) threads=\(threads): \(differ.count) outputs differ, first [t \(differ.first.map { $0 / rows } ?? 0), r \(differ.first.map { $0 % rows } ?? 0)]")
                    }
                }
            }
        }
    }

    @Test(arguments: weightTypes)
    func dequantizeMatchesReferenceExactly(type: QuantType) {
        var rng = SeededGenerator(seed: 0xDE0 + UInt64(type.rawValue))
        let cols = type.blockSize == 1 ? 77 : type.blockSize == 256 ? 768 : 160
        let weights = RandomWeights(type, rows: 3, cols: cols, rng: &rng)
        for table in Self.fastTables {
            for r in 0..<3 {
                var expected = [Float](repeating: .nan, count: cols)
                var got = [Float](repeating: .nan, count: cols)
                ReferenceKernels.dequantizeRow(type, weights.matrix.row(r), into: &expected, count: cols)
                table[type].dequantizeRow(weights.matrix.row(r), &got, cols)
                #expect(got.map(\.bitPattern) == expected.map(\.bitPattern), "\(table.name) \(type) row \(r)")
            }
        }
    }

    @Test func partnersFollowGGML() {
        for table in KernelTable.allRunnable() {
            #expect(table[.f32].partner == .f32)
            #expect(table[.f16].partner == .f16)
            #expect(table[.bf16].partner == .bf16)
            #expect(table[.q4_0].partner == .q8_0)
            #expect(table[.q8_0].partner == .q8_0)
            #expect(table[.q4_1].partner == .q8_1)
            #expect(table[.q5_0].partner == .q8_0)
            #expect(table[.q5_1].partner == .q8_1)
            #expect(table[.q4_K].partner == .q8_K)
            #expect(table[.q6_K].partner == .q8_K)
            #expect(table[.q2_K].partner == .q8_K && table[.q3_K].partner == .q8_K && table[.q5_K].partner == .q8_K)
        }
    }
}
