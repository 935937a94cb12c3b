// F16 / BF16 scalar conversions: edge cases by hand, and exhaustive agreement with Swift's
// Float16 (IEEE round-to-nearest-even) where the platform has it.
import Testing
@testable import KingletKernels

@Suite("F16 and BF16 conversion")
struct HalfFloatTests {
    @Test func f16Specials() {
        #expect(floatToHalf(0) == 0x0000)
        #expect(floatToHalf(-0.0) == 0x8000)
        #expect(floatToHalf(1) == 0x3C00)
        #expect(floatToHalf(-2) == 0xC000)
        #expect(floatToHalf(65504) == 0x7BFF)            // largest finite
        #expect(floatToHalf(65519.996) == 0x7BFF)        // just below the rounding edge
        #expect(floatToHalf(65520) == 0x7C00)            // ties to even → inf
        #expect(floatToHalf(1e10) == 0x7C00)
        #expect(floatToHalf(.infinity) == 0x7C00)
        #expect(floatToHalf(-.infinity) == 0xFC00)
        let nan = floatToHalf(.nan)
        #expect(nan & 0x7C00 == 0x7C00 && nan & 0x03FF != 0)
        #expect(floatToHalf(Float(bitPattern: 0x7F80_0001)) & 0x03FF != 0)   // signalling NaN stays NaN
        #expect(halfToFloat(0x7C00) == .infinity)
        #expect(halfToFloat(0xFC00) == -.infinity)
        #expect(halfToFloat(0x7E00).isNaN)
        #expect(halfToFloat(0x8000).bitPattern == (-0.0 as Float).bitPattern)
    }

    @Test func f16Subnormals() {
        #expect(halfToFloat(0x0001) == 0x1p-24)          // smallest subnormal
        #expect(halfToFloat(0x03FF) == 1023 * 0x1p-24)   // largest subnormal
        #expect(halfToFloat(0x0400) == 0x1p-14)          // smallest normal
        #expect(floatToHalf(0x1p-24) == 0x0001)
        #expect(floatToHalf(0x1p-25) == 0x0000)          // tie → even (0)
        #expect(floatToHalf(0x1.000002p-25) == 0x0001)   // just above the tie
        #expect(floatToHalf(3 * 0x1p-25) == 0x0002)      // tie between 1 and 2 → 2
        #expect(floatToHalf(-0x1p-24) == 0x8001)
        #expect(floatToHalf(1023.5 * 0x1p-24) == 0x0400) // rounds up into the normal range
        #expect(floatToHalf(0x1p-30) == 0x0000)
    }

    @Test func f16RoundsToNearestEven() {
        #expect(floatToHalf(1 + 0x1p-11) == 0x3C00)      // halfway, even below
        #expect(floatToHalf(1 + 3 * 0x1p-11) == 0x3C02)  // halfway, even above
        #expect(floatToHalf(Float(bitPattern: 0x3F80_1001)) == 0x3C01)   // 1 + 2^-11 + 2^-23: just above
        #expect(floatToHalf(2047.5) == floatToHalf(2048))
    }

    @Test func f16RoundTripsEveryHalf() {
        for bits in 0...UInt16.max {
            let f = halfToFloat(bits)
            if f.isNaN { continue }
            #expect(floatToHalf(f) == bits, "0x\(String(bits, radix: 16))")
        }
    }

    #if !(os(macOS) && arch(x86_64))
    @Test func f16AgreesWithSwiftFloat16() {
        for bits in 0...UInt16.max where !halfToFloat(bits).isNaN {
            #expect(halfToFloat(bits) == Float(Float16(bitPattern: bits)))
        }
        var rng = SeededGenerator(seed: 16)
        for _ in 0..<200_000 {
            // random bit patterns cover subnormals, ties are covered above
            let f = Float(bitPattern: UInt32.random(in: 0x2F00_0000...0x4800_0000, using: &rng)
                          | (Bool.random(using: &rng) ? 0x8000_0000 : 0))
            #expect(floatToHalf(f) == Float16(f).bitPattern, "\(f)")
        }
    }
    #endif

    @Test func bf16() {
        #expect(bf16ToFloat(0x3F80) == 1)
        #expect(bf16ToFloat(0xC040) == -3)
        #expect(floatToBF16(1) == 0x3F80)
        #expect(floatToBF16(Float(bitPattern: 0x3F80_8000)) == 0x3F80)   // tie → even
        #expect(floatToBF16(Float(bitPattern: 0x3F81_8000)) == 0x3F82)   // tie → even
        #expect(floatToBF16(Float(bitPattern: 0x3F80_8001)) == 0x3F81)
        #expect(floatToBF16(Float(bitPattern: 0x7F7F_FFFF)) == 0x7F80)   // overflow → inf
        #expect(floatToBF16(.infinity) == 0x7F80)
        #expect(floatToBF16(Float(bitPattern: 0x7F80_0001)) == 0x7FC0)   // sNaN quieted, not inf
        #expect(bf16ToFloat(floatToBF16(.nan)).isNaN)
        #expect(floatToBF16(Float(bitPattern: 0x0000_8001)) == 0x0001)   // subnormals round too
        for bits in stride(from: 0, through: 0xFFFF, by: 1) where !bf16ToFloat(UInt16(bits)).isNaN {
            #expect(floatToBF16(bf16ToFloat(UInt16(bits))) == UInt16(bits))
        }
    }
}
