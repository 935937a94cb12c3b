// Activation conversion (f32 → the weight type's partner): hand-computed blocks for the
// reference, and every fast table held to the reference bit for bit.
import Testing
@testable import KingletKernels

@Suite("Activation quantization")
struct ActivationQuantizeTests {
    /// (d, s, qs) of block `b` of a Q8_0 / Q8_1 row.
    func block(_ bytes: [UInt8], _ b: Int, partner: QuantType) -> (d: Float, s: Float, qs: [Int8]) {
        let stride = partner == .q8_1 ? 36 : 34, offset = partner == .q8_1 ? 4 : 2
        let base = b * stride
        let d = halfToFloat(UInt16(bytes[base]) | UInt16(bytes[base + 1]) << 8)
        let s = partner == .q8_1 ? halfToFloat(UInt16(bytes[base + 2]) | UInt16(bytes[base + 3]) << 8) : 0
        return (d, s, (0..<32).map { Int8(bitPattern: bytes[base + offset + $0]) })
    }

    func quantize(_ x: [Float], _ partner: QuantType, _ rounding: ActivationRounding) -> [UInt8] {
        var out = [UInt8](repeating: 0xAA, count: partner.rowBytes(cols: x.count))
        out.withUnsafeMutableBytes { ReferenceKernels.quantizeRow(x, to: partner, $0.baseAddress!, count: x.count, rounding: rounding) }
        return out
    }

    @Test(arguments: ActivationRounding.allCases)
    func integerValuedBlock(rounding: ActivationRounding) {
        // amax = 127 → d = 1, multiplier 1: q = x exactly.
        var x = (0..<32).map { Float($0) }
        x[31] = -127
        for partner in [QuantType.q8_0, .q8_1] {
            let b = block(quantize(x, partner, rounding), 0, partner: partner)
            #expect(b.d == 1)
            #expect(b.qs == (0..<31).map { Int8($0) } + [-127])
            if partner == .q8_1 { #expect(b.s == Float(465 - 127)) }
        }
    }

    @Test func tiesRoundLikeLlamaCpp() {
        // d = 1: x · 1 lands exactly on .5 — x86/ARM round to even, the portable ref away from 0.
        var x = [Float](repeating: 0, count: 32)
        x[0] = 127; x[1] = 2.5; x[2] = -2.5; x[3] = 0.5; x[4] = 1.5; x[5] = -126.5
        let even = block(quantize(x, .q8_0, .x86), 0, partner: .q8_0).qs
        #expect(Array(even[0...5]) == [127, 2, -2, 0, 2, -126])
        #expect(block(quantize(x, .q8_0, .arm), 0, partner: .q8_0).qs == even)
        let away = block(quantize(x, .q8_0, .portable), 0, partner: .q8_0).qs
        #expect(Array(away[0...5]) == [127, 3, -3, 1, 2, -127])
    }

    @Test func scaleAndSumByHand() {
        // amax = 2.54 → d = 0.02 (stored as f16), q = rint(x · 127 / 2.54) = rint(50·x).
        var x = [Float](repeating: 0.1, count: 32)   // 50 · 0.1 = 5.0000005 → 5
        x[7] = -2.54
        x[8] = 0.013                                  // 0.65 → 1
        let bytes = quantize(x, .q8_1, .x86)
        let b = block(bytes, 0, partner: .q8_1)
        #expect(b.d == halfToFloat(floatToHalf(Float(2.54) / 127)))
        #expect(b.qs[0] == 5 && b.qs[7] == -127 && b.qs[8] == 1)
        let sum = 30 * 5 - 127 + 1
        #expect(b.s == halfToFloat(floatToHalf(Float(2.54) / 127 * Float(sum))))   // f32 d, not f16 d
    }

    @Test func zeroBlock() {
        let x = [Float](repeating: 0, count: 64)
        for partner in [QuantType.q8_0, .q8_1] {
            let bytes = quantize(x, partner, .x86)
            for b in 0..<2 {
                let blk = block(bytes, b, partner: partner)
                #expect(blk.d == 0 && blk.s == 0 && blk.qs.allSatisfy { $0 == 0 })
            }
        }
    }

    @Test func floatPartners() {
        let x: [Float] = [1, 1 + 0x1p-11, -65520, 0x1p-25, 3 * 0x1p-25]
        let f16 = quantize(x, .f16, .x86)
        let halfs = (0..<5).map { UInt16(f16[2 * $0]) | UInt16(f16[2 * $0 + 1]) << 8 }
        #expect(halfs == [0x3C00, 0x3C00, 0xFC00, 0x0000, 0x0002])
        let bf = quantize([1, Float(bitPattern: 0x3F80_8000)], .bf16, .x86)
        #expect(bf == [0x80, 0x3F, 0x80, 0x3F])
    }

    @Test func q8_KByHand() {
        // The first x of largest |x| sets the sign: max = +127 gives iscale = −1, so q = −x and
        // d = −1 (ggml's quantize_row_q8_K_ref); max = −127 gives q = x, d = 1.
        for sign: Float in [1, -1] {
            var x = (0..<256).map { Float($0 % 16) - 8 }
            x[5] = 127 * sign
            x[200] = -127 * sign                       // same |x|, later: not the max
            x[9] = 2.5                                 // a tie: rounds to even
            let bytes = quantize(x, .q8_K, .x86)
            #expect(bytes.count == 292)
            let d = bytes.withUnsafeBytes { $0.loadUnaligned(as: Float.self) }
            #expect(d == -sign)
            let qs = (0..<256).map { Int8(bitPattern: bytes[4 + $0]) }
            #expect(qs[5] == -127 && qs[200] == 127)   // the max always maps to −127
            #expect(qs[9] == (sign > 0 ? -2 : 2))
            #expect(qs[0] == Int8(8 * sign) && qs[15] == Int8(-7 * sign))
            for g in 0..<16 {
                let bsum = Int16(bytes[260 + 2 * g]) | Int16(bytes[261 + 2 * g]) << 8
                #expect(Int(bsum) == qs[16 * g ..< 16 * g + 16].reduce(0) { $0 + Int($1) })
            }
        }
        #expect(quantize([Float](repeating: 0, count: 256), .q8_K, .x86) == [UInt8](repeating: 0, count: 292))
    }

    @Test(arguments: [QuantType.f16, .bf16, .q8_0, .q8_1, .q8_K])
    func fastMatchesReferenceBitForBit(partner: QuantType) {
        var rng = SeededGenerator(seed: 0xAC7 + UInt64(partner.rawValue))
        let weightType: QuantType = switch partner {
        case .q8_1: .q4_1
        case .q8_0: .q8_0
        case .q8_K: .q4_K
        default: partner
        }
        for table in KernelTable.allRunnable() where table.name != "reference" {
            #expect(table[weightType].partner == partner)
            for trial in 0..<50 {
                let count = partner.blockSize == 256 ? 256 * Int.random(in: 1...6, using: &rng)
                    : 32 * Int.random(in: 1...40, using: &rng)
                var x = randomActivations(count, rng: &rng)
                if trial % 5 == 0 { for j in 0..<32 { x[j] = 0 } }                     // a zero block
                if trial % 7 == 0 { for j in 0..<32 { x[j] = Float(j) - 15.5 }; x[0] = 127 }  // ties
                if trial % 11 == 0 { for j in 0..<count { x[j] *= 1e-6 } }              // f16 subnormal d
                let expected = quantize(x, partner, table.rounding)
                var got = [UInt8](repeating: 0x55, count: expected.count)
                got.withUnsafeMutableBytes { table[weightType].quantizeRow(x, $0.baseAddress!, count) }
                #expect(got == expected, "\(table.name) \(partner) trial \(trial)")
            }
        }
    }
}
