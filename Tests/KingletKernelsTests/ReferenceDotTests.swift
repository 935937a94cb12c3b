// The block reference dot against a hand-computed block and against the plain f32 dot, whose
// difference must stay within the activation quantization error.
import Testing
@testable import KingletKernels

@Suite("Reference dot")
struct ReferenceDotTests {
    @Test func q4_1TimesQ8_1ByHand() {
        // W: d = 0.5, m = 1, nibbles q_j = j & 15 → w_j = 0.5·q_j + 1
        // X: d = 1, q = 1 for all j, s = 32
        var w: [UInt8] = [0x00, 0x38, 0x00, 0x3C]
        w += (0..<16).map { UInt8($0 | $0 << 4) }
        var x: [UInt8] = [0x00, 0x3C, 0x00, 0x50]   // d = 1, s = 32 (0x5000)
        x += [UInt8](repeating: 1, count: 32)
        // Σ w_j · 1 = 0.5 · 2 · Σ_{0..15} j + 32 · 1 = 120 + 32 = 152
        let dot = w.withUnsafeBytes { wp in x.withUnsafeBytes { xp in
            ReferenceKernels.dot(.q4_1, wp.baseAddress!, xp.baseAddress!, count: 32) } }
        #expect(dot == 152)
    }

    @Test func q4_0TimesQ8_0ByHand() {
        // W: d = 2, all nibbles 9 → w = 2; X: d = 0.5, q alternating +4/-2 → x = 2, -1
        let w: [UInt8] = [0x00, 0x40] + [UInt8](repeating: 0x99, count: 16)
        let x: [UInt8] = [0x00, 0x38] + (0..<32).map { UInt8(bitPattern: $0 % 2 == 0 ? 4 : -2) }
        let dot = w.withUnsafeBytes { wp in x.withUnsafeBytes { xp in
            ReferenceKernels.dot(.q4_0, wp.baseAddress!, xp.baseAddress!, count: 32) } }
        #expect(dot == 2 * (16 * 2 + 16 * -1))
    }

    @Test(arguments: [QuantType.q4_0, .q4_1, .q8_0, .f16, .bf16, .f32, .q5_0, .q5_1, .q4_K, .q6_K, .q2_K, .q3_K, .q5_K])
    func blockDotIsWithinQuantizationErrorOfFloatDot(type: QuantType) {
        var rng = SeededGenerator(seed: 0xD07 + UInt64(type.rawValue))
        let cols = type.blockSize == 256 ? 768 : 576
        let weights = RandomWeights(type, rows: 8, cols: cols, rng: &rng)
        let partner = KernelTable.partner(of: type)
        for r in 0..<8 {
            let x = randomActivations(cols, rng: &rng)
            var xq = [UInt8](repeating: 0, count: partner.rowBytes(cols: cols))
            xq.withUnsafeMutableBytes { ReferenceKernels.quantizeRow(x, to: partner, $0.baseAddress!, count: cols) }
            let exact = ReferenceKernels.dotDequantized(type, weights.matrix.row(r), x, count: cols)
            let quantized = xq.withUnsafeBytes { ReferenceKernels.dot(type, weights.matrix.row(r), $0.baseAddress!, count: cols) }
            // Per element the partner holds x to within half a step (d/2 = amax/254 for 8-bit,
            // 2^-11·|x| for f16, 2^-8·|x| for bf16); the f16 scale adds ≤ 2^-11·127·d; Q8_1's
            // f16 s adds ≤ |m|·|s|·2^-11 per block (bounded via Σ|x|). Q8_K: amax/254 over its
            // 256-element block, with an f32 d.
            var deq = [Float](repeating: 0, count: cols)
            ReferenceKernels.dequantizeRow(type, weights.matrix.row(r), into: &deq, count: cols)
            var bound: Float = 1e-5 * magnitude(weights.matrix, row: r, x)
            for b in 0..<cols / 32 {
                let amax = (0..<32).map { abs(x[b * 32 + $0]) }.max()!
                let amax256 = partner == .q8_K ? (0..<256).map { abs(x[b / 8 * 256 + $0]) }.max()! : 0
                for j in 0..<32 {
                    let c = b * 32 + j
                    switch partner {
                    case .q8_0, .q8_1: bound += abs(deq[c]) * (amax / 127) * 0.57
                    case .q8_K: bound += abs(deq[c]) * (amax256 / 127) * 0.51
                    case .f16: bound += abs(deq[c]) * abs(x[c]) * 0x1p-11
                    case .bf16: bound += abs(deq[c]) * abs(x[c]) * 0x1p-8
                    default: break
                    }
                }
                if type == .q4_1 || type == .q5_1 {
                    let m = halfToFloat(weights.matrix.row(r).loadUnaligned(fromByteOffset: b * type.blockBytes + 2, as: UInt16.self))
                    bound += abs(m) * (0..<32).map { abs(x[b * 32 + $0]) }.reduce(0, +) * 0x1p-10
                }
            }
            #expect(abs(exact - quantized) <= bound, "\(type) row \(r): \(exact) vs \(quantized), bound \(bound)")
        }
    }
}
