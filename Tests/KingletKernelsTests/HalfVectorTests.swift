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

@Suite struct AttendTests {
    @Test(arguments: [(64, 1), (64, 37), (64, 300), (32, 5), (80, 17), (256, 300), (160, 9)])  // 256: Gemma 3; 160: two 64-blocks and a tail
    func fastAttendMatchesReference(headSize: Int, len: Int) {
        let stride = headSize * 3
        let (q, _) = HalfVectorTests.data(headSize, seed: 1)
        let (_, k) = HalfVectorTests.data(stride * len, seed: 2)
        let (_, v) = HalfVectorTests.data(stride * len, seed: 3)
        var s1 = [Float](repeating: 0, count: len), s2 = s1
        var o1 = [Float](repeating: 0, count: headSize), o2 = o1
        ReferenceHalfVector.attend(q, k: k, v: v, stride: stride, count: len, headSize: headSize, scale: 0.125, scores: &s1, out: &o1)
        HalfVector.native.attend(q, k: k, v: v, stride: stride, count: len, headSize: headSize, scale: 0.125, scores: &s2, out: &o2)
        // Probabilities sum to one, and the outputs agree to f32 rounding (summation order differs).
        #expect(abs(s1.reduce(0, +) - 1) < 2e-3)
        for i in 0 ..< headSize { #expect(abs(o1[i] - o2[i]) <= 1e-5 * max(1, abs(o1[i])), "i \(i): \(o1[i]) vs \(o2[i])") }
    }

    @Test func oneHotAttentionReturnsThatValue() {
        // Two positions; the query matches position 1 by a wide margin, so out ≈ v[1].
        let dh = 64
        var q = [Float](repeating: 0, count: dh); q[0] = 100
        var k = [UInt16](repeating: floatToHalf(0), count: 2 * dh); k[dh] = floatToHalf(1)
        let v = (0 ..< 2 * dh).map { floatToHalf($0 < dh ? -1 : Float($0 - dh) / 64) }
        var s = [Float](repeating: 0, count: 2), o = [Float](repeating: 0, count: dh)
        HalfVector.native.attend(q, k: k, v: v, stride: dh, count: 2, headSize: dh, scale: 1, scores: &s, out: &o)
        for i in 0 ..< dh { #expect(abs(o[i] - Float(i) / 64) < 1e-3) }
    }
}

/// A GQA group's queries in one pass (`attendGroup`) against each query alone.
@Suite struct AttendGroupTests {
    /// (head size, queries, positions): 64 (SmolLM2), 256 (Gemma 3), 128; 80 goes the one-query
    /// way inside; 1…9 queries cover the kernel's chunks of four and their remainders.
    /// Scale 8 makes the scores wide apart, so that a score one ulp off changes a probability's
    /// F16 rounding somewhere (at 0.125 the rounding hides the dot products' order).
    @Test(arguments: [(64, 3, 37), (64, 1, 5), (64, 4, 300), (64, 9, 64), (256, 4, 33), (128, 2, 129), (80, 3, 17), (32, 5, 1)],
          [Float(0.125), 8])
    func groupMatchesOneQueryAtATimeExactly(shape: (headSize: Int, queries: Int, len: Int), scale: Float) {
        let (headSize, queries, len) = shape
        let stride = headSize * 2
        let (q, _) = HalfVectorTests.data(headSize * queries, seed: 11)
        let (_, k) = HalfVectorTests.data(stride * len, seed: 12)
        let (_, v) = HalfVectorTests.data(stride * len, seed: 13)
        for half in HalfVector.fastVariants + [HalfVector.reference] {
            var alone = [Float](repeating: 0, count: headSize * queries), scratch = [Float](repeating: 0, count: len)
            for j in 0 ..< queries {
                alone.withUnsafeMutableBufferPointer { o in
                    q.withUnsafeBufferPointer { qb in
                        half.attend(qb.baseAddress! + j * headSize, k: k, v: v, stride: stride, count: len, headSize: headSize,
                                    scale: scale, scores: &scratch, out: o.baseAddress! + j * headSize)
                    }
                }
            }
            // outputs interleaved with a gap, to check the strides
            let outStride = headSize + 7
            var grouped = [Float](repeating: .nan, count: outStride * queries), scores = [Float](repeating: 0, count: len * queries)
            q.withUnsafeBufferPointer { qb in
                k.withUnsafeBufferPointer { kb in
                    v.withUnsafeBufferPointer { vb in
                        grouped.withUnsafeMutableBufferPointer { ob in
                            scores.withUnsafeMutableBufferPointer { sb in
                                half.attendGroup(.init(q: qb.baseAddress!, queryStride: headSize, queries: queries, k: kb.baseAddress!,
                                                       v: vb.baseAddress!, stride: stride, count: len, headSize: headSize, scale: scale,
                                                       scores: sb.baseAddress!, out: ob.baseAddress!, outStride: outStride))
                            }
                        }
                    }
                }
            }
            for j in 0 ..< queries {
                let a = Array(alone[j * headSize ..< (j + 1) * headSize]), g = Array(grouped[j * outStride ..< j * outStride + headSize])
                #expect(a.map(\.bitPattern) == g.map(\.bitPattern), "\(half.name) dh \(headSize), query \(j) of \(queries), \(len) positions")
                let gap = grouped[j * outStride + headSize ..< (j + 1) * outStride]
                #expect(gap.allSatisfy { $0.isNaN }, "wrote past its output")
            }
        }
    }
}
