// The kernels for attention over a Q8_0 / Q4_0 KV cache: the Q4_0 store quantizer against
// ggml's definition, and every table this CPU runs against the plain Swift reference.
import Testing
@testable import KingletKernels

@Suite struct KVBlockKernelTests {
    /// Keys or values of one KV head, `len` rows `stride` bytes apart, made by the reference
    /// store from hidden-state-like floats (as the cache makes them).
    struct Rows {
        let bytes: UnsafeMutableRawPointer  // [len, stride]
        let floats: [[Float]]               // [len][Dh] dequantized
        init(_ type: QuantType, len: Int, headSize: Int, stride: Int, rng: inout SeededGenerator) {
            let kernels = KVBlockKernels.reference(type, rounding: .native)
            bytes = .allocate(byteCount: max(len * stride, 1), alignment: 64)
            var rows: [[Float]] = []
            for p in 0 ..< len {
                let x = randomActivations(headSize, rng: &rng)
                kernels.store(x, into: bytes + p * stride, count: headSize)
                var d = [Float](repeating: 0, count: headSize)
                type.traits.dequantize(bytes + p * stride, &d, headSize)
                rows.append(d)
            }
            floats = rows
        }
    }

    /// ggml's quantize_row_q4_0_ref on x[j] = j − 16: the largest magnitude is −16 at j = 0, so
    /// d = −16 / −8 = 2 and q = min(15, trunc(x/2 + 8.5)).
    @Test func q4_0StoreIsGGMLsReferenceQuantizer() {
        let x = (0 ..< 32).map { Float($0 - 16) }
        var block = [UInt8](repeating: 0, count: 18)
        KVBlockKernels.reference(.q4_0).store(x, into: &block, count: 32)
        #expect(block[0] == 0x00 && block[1] == 0x40, "d = 2.0 as f16 (0x4000)")
        #expect(block[2] == 0x80, "x = −16 → 0, x = 0 → 8")
        #expect(block[2 + 15] == 0xF8, "x = −1 → 8, x = 15 → min(15, 16)")
        #expect(block[2 + 1] == 0x91, "x = −15 → 1, x = 1 → 9")
        var back = [Float](repeating: 0, count: 32)
        QuantType.q4_0.traits.dequantize(block, &back, 32)
        for j in 0 ..< 31 { #expect(abs(back[j] - x[j]) <= 1, "element \(j): \(back[j]) vs \(x[j])") }
    }

    @Test func cacheRowBytesAreWholeBlocks() {
        for (type, bytes) in [(QuantType.q8_0, 34), (.q4_0, 18)] {
            #expect(type.blockSize == 32 && type.blockBytes == bytes)
            var x = [Float](repeating: 0.25, count: 64)
            x[3] = -1
            var out = [UInt8](repeating: 0xA5, count: 2 * bytes + 8)
            KVBlockKernels.reference(type).store(x, into: &out, count: 64)
            #expect(out[2 * bytes ..< 2 * bytes + 8].allSatisfy { $0 == 0xA5 }, "\(type) wrote past its two blocks")
        }
    }

    /// Every table this CPU runs, at head sizes of 1 to 17 blocks (AVX-512 keeps up to 16 query
    /// blocks in registers and falls back past that), runs of 1 to 100 positions, rows strided as
    /// in a cache of 3 KV heads. Stores and query quantization are bit-identical to the reference
    /// with the table's rounding; scores and sums differ only in float summation order: within
    /// 1e-5 of Σ|terms| (a wrong nibble, sign or scale is off by far more).
    @Test(arguments: KernelTable.allRunnable().map(\.name))
    func fastKernelsMatchTheReference(table name: String) throws {
        let table = try #require(KernelTable.allRunnable().first { $0.name == name })
        var rng = SeededGenerator(seed: 0x4B56)
        for type in KVBlockKernels.cacheTypes {
            let fast = table.kvBlocks(type), reference = KVBlockKernels.reference(type, rounding: table.rounding)
            if name != "reference" { #expect(fast.implementation == name) }
            for blocks in [1, 2, 3, 8, 17] {
                let dh = 32 * blocks, headBytes = blocks * type.blockBytes, stride = 3 * headBytes
                let x = randomActivations(dh, rng: &rng)
                var a = [UInt8](repeating: 0, count: headBytes), b = a
                fast.store(x, into: &a, count: dh)
                reference.store(x, into: &b, count: dh)
                #expect(a == b, "\(type) store, Dh \(dh)")
                var qa = [UInt8](repeating: 0, count: blocks * 34), qb = qa
                fast.quantizeQuery(x, into: &qa, headSize: dh)
                reference.quantizeQuery(x, into: &qb, headSize: dh)
                #expect(qa == qb, "query quantization, Dh \(dh)")
                var q = [Float](repeating: 0, count: dh)
                QuantType.q8_0.traits.dequantize(qa, &q, dh)
                for len in [1, 5, 100] {
                    let rows = Rows(type, len: len, headSize: dh, stride: stride, rng: &rng)
                    defer { rows.bytes.deallocate() }
                    var got = [Float](repeating: .nan, count: len + 1), want = got
                    fast.scores(query: qa, keys: rows.bytes, stride: stride, count: len, headSize: dh, into: &got)
                    reference.scores(query: qa, keys: rows.bytes, stride: stride, count: len, headSize: dh, into: &want)
                    #expect(got[len].isNaN, "scores wrote past its \(len) positions")
                    for p in 0 ..< len {
                        let mag = zip(q, rows.floats[p]).map { abs($0 * $1) }.reduce(0, +)
                        #expect(abs(got[p] - want[p]) <= 1e-5 * max(mag, 1e-20), "\(type) scores Dh \(dh) len \(len) p \(p): \(got[p]) vs \(want[p])")
                    }
                    let w = (0 ..< len).map { _ in Float.random(in: 0 ... 1, using: &rng) }
                    let start = randomActivations(dh, rng: &rng)
                    var outF = start + [.nan], outR = start + [.nan]
                    fast.accumulate(weights: w, values: rows.bytes, stride: stride, count: len, headSize: dh, into: &outF)
                    reference.accumulate(weights: w, values: rows.bytes, stride: stride, count: len, headSize: dh, into: &outR)
                    #expect(outF[dh].isNaN, "accumulate wrote past its \(dh) outputs")
                    for i in 0 ..< dh {
                        let mag = abs(start[i]) + (0 ..< len).map { abs(w[$0] * rows.floats[$0][i]) }.reduce(0, +)
                        #expect(abs(outF[i] - outR[i]) <= 1e-5 * max(mag, 1e-20), "\(type) accumulate Dh \(dh) len \(len) i \(i): \(outF[i]) vs \(outR[i])")
                    }
                }
            }
        }
    }

    /// The reference itself: scores are q·k of the dequantized rows (the integer dot is exact),
    /// the accumulation Σ w·v of the dequantized values.
    @Test func referenceIsTheDequantizedMath() {
        var rng = SeededGenerator(seed: 7)
        for type in KVBlockKernels.cacheTypes {
            let k = KVBlockKernels.reference(type), dh = 64, stride = 2 * type.blockBytes
            let rows = Rows(type, len: 4, headSize: dh, stride: stride, rng: &rng)
            defer { rows.bytes.deallocate() }
            let x = randomActivations(dh, rng: &rng)
            var qq = [UInt8](repeating: 0, count: 2 * 34), q = [Float](repeating: 0, count: dh)
            k.quantizeQuery(x, into: &qq, headSize: dh)
            QuantType.q8_0.traits.dequantize(qq, &q, dh)
            var s = [Float](repeating: 0, count: 4)
            k.scores(query: qq, keys: rows.bytes, stride: stride, count: 4, headSize: dh, into: &s)
            for p in 0 ..< 4 {
                let want = zip(q, rows.floats[p]).map { Double($0) * Double($1) }.reduce(0, +)
                #expect(abs(Double(s[p]) - want) <= 1e-5 * max(abs(want), 1), "\(type) p \(p)")
            }
            var out = [Float](repeating: 1, count: dh)
            k.accumulate(weights: [0.5, 0.25, 0, 1], values: rows.bytes, stride: stride, count: 4, headSize: dh, into: &out)
            for i in 0 ..< dh {
                let want = 1 + 0.5 * rows.floats[0][i] + 0.25 * rows.floats[1][i] + rows.floats[3][i]
                #expect(abs(out[i] - want) <= 1e-5 * max(abs(want), 1))
            }
        }
    }
}
