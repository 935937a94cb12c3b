import Testing
@testable import KingletKernels

@Suite("Matmul smoke")
struct MatmulSmokeTests {
    /// 2 rows of Q8_0 (one block each) against 1 token: checks the wiring end to end.
    @Test func q8_0MatvecByHand() throws {
        var bytes = [UInt8](repeating: 0, count: 68)   // [2 rows, 34 bytes]
        for r in 0..<2 {
            let d = floatToHalf(r == 0 ? 1 : 0.5)
            bytes[r * 34] = UInt8(d & 0xFF); bytes[r * 34 + 1] = UInt8(d >> 8)
            for j in 0..<32 { bytes[r * 34 + 2 + j] = UInt8(bitPattern: Int8(j - 16)) }
        }
        let x = [Float](repeating: 1, count: 32)        // [1, 32]
        var out = [Float](repeating: 0, count: 2)       // [1, 2]
        let pool = ThreadPool(threads: 2)
        try bytes.withUnsafeBytes { w in
            let matrix = try WeightMatrix(typeRawValue: 8, rows: 2, cols: 32, data: w.baseAddress!)
            Kernels.matmul(matrix, x, n: 1, &out, pool: pool)
        }
        // Σ (j-16) for j in 0..<32 = -16; x quantizes to q = 127, d = 1/127.
        #expect(abs(out[0] - -16) < 1e-3)
        #expect(abs(out[1] - -8) < 1e-3)
        #expect(!Kernels.backendDescription.isEmpty)
    }
}
