import Testing
@testable import KingletKernels

/// The F16 attention kernels against their Swift reference, on odd lengths and tails.
@Suite struct HalfVectorTests {
    static func data(_ n: Int, seed: UInt64) -> ([Float], [UInt16]) {
        var s = seed
        func next() -> Float { s = s &* 6364136223846793005 &+ 1442695040888963407; return Float(Int64(bitPattern: s) >> 40) / Float(1 << 23) }
        let q = (0 ..< n).map { _ in next() }
        let k = (0 ..< n).map { _ in floatToHalf(next()) }
        return (q, k)
    }

    @Test(arguments: [1, 7, 8, 31, 32, 33, 64, 100, 257])
    func fastMatchesReference(n: Int) throws {
        guard let fast = HalfVector.fast else {
            // Without F16C the reference *is* the native path; nothing to compare.
            #expect(HalfVector.native.name == "reference")
            return
        }
        let (q, k) = Self.data(n, seed: UInt64(n))
        let a = fast.dot(q, k, count: n), b = ReferenceHalfVector.dot(q, k, count: n)
        let scale = zip(q, k).map { abs($0 * halfToFloat($1)) }.reduce(0, +)
        #expect(abs(a - b) <= 1e-6 * max(scale, 1), "dot n=\(n): \(a) vs \(b)")

        var y1 = q, y2 = q
        fast.axpy(0.37, k, &y1, count: n)
        ReferenceHalfVector.axpy(0.37, k, &y2, count: n)
        for i in 0 ..< n { #expect(abs(y1[i] - y2[i]) <= 1e-6 * max(abs(y2[i]), 1)) }

        var r1 = q, r2 = q
        fast.roundToHalf(&r1, count: n)
        ReferenceHalfVector.roundToHalf(&r2, count: n)
        #expect(r1 == r2, "rounding to F16 must be bit-identical")

        var h1 = [UInt16](repeating: 0, count: n), h2 = h1
        fast.toHalf(q, &h1, count: n)
        ReferenceHalfVector.toHalf(q, &h2, count: n)
        #expect(h1 == h2)
    }

    @Test func roundingIsToNearestEven() {
        // 1 + 2^-11 lies exactly between two F16 values (1 and 1 + 2^-10): ties go to even (1).
        var x: [Float] = [1 + 0x1p-11, 1 + 3 * 0x1p-11, 65520, -0x1p-25]
        HalfVector.native.roundToHalf(&x, count: x.count)
        #expect(x[0] == 1)
        #expect(x[1] == 1 + 0x1p-9)
        #expect(x[2].isInfinite)
        #expect(x[3] == 0 && x[3].sign == .minus)
    }
}
