// Q2_K, Q3_K and Q5_K: block layouts, the reference dequantizers against gguf-py, the reference
// dots against the dequantizers, and the fast tile kernels of every ISA this CPU runs against the
// reference dots.
//
// Tolerances (relative to Σ|terms|, as in FastKernelTests):
//   fast kernel vs reference dot: 1e-5. Both compute every super-block's integer sums exactly and
//     scale them by the same f32 products d_w·d_x and dmin_w·d_x; only the order of the per-
//     super-block f32 terms differs (observed ≤ 2e-7). A wrong bit, scale or sign is ≥ 1e-3.
//   reference dot vs dequantized dot: 1e-5 of Σ(|d·sc·q| + |dmin·m|)·|x|: the dequantized
//     weights round d·sc·q and dmin·m separately (2-3 roundings per element) where the dot keeps
//     integers; that, not |w·x|, is the scale of the difference.
import CKingletKernels
import Foundation
import Testing
@testable import KingletKernels

/// One of the three low-bit K-quant types, with its reference kernels.
struct KQuantLowCase: Sendable, CustomStringConvertible {
    let type: QuantType
    /// Byte offsets of the f16 d and (except Q3_K) dmin.
    let scaleOffsets: [Int]
    var name: String { type.description }
    var blockBytes: Int { type.blockBytes }
    var dequantize: @Sendable (UnsafeRawPointer, UnsafeMutablePointer<Float>, Int) -> Void { type.traits.dequantize }
    var dot: @Sendable (UnsafeRawPointer, UnsafeRawPointer, Int) -> Float { type.traits.dot! }
    var description: String { name }

    static let all = [
        KQuantLowCase(type: .q2_K, scaleOffsets: [80, 82]), KQuantLowCase(type: .q3_K, scaleOffsets: [108]),
        KQuantLowCase(type: .q5_K, scaleOffsets: [0, 2]),
    ]

    /// `rows` rows of `cols` weights: random bytes, with finite d (and dmin) as in real files.
    func randomRows(_ rows: Int, cols: Int, rng: inout SeededGenerator) -> [UInt8] {
        var bytes = (0..<rows * cols / 256 * blockBytes).map { _ in UInt8.random(in: 0...255, using: &rng) }
        for b in 0..<rows * cols / 256 {
            for offset in scaleOffsets {
                let h = floatToHalf(Float.random(in: 0.0002...0.01, using: &rng))
                bytes[b * blockBytes + offset] = UInt8(h & 0xFF)
                bytes[b * blockBytes + offset + 1] = UInt8(h >> 8)
            }
        }
        return bytes
    }
}

/// `rows` Q8_K rows of `cols` values: random qs (full range), d in (0, 0.1], matching bsums.
func randomQ8KRows(_ rows: Int, cols: Int, rng: inout SeededGenerator) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: rows * cols / 256 * Q8_K.blockBytes)
    bytes.withUnsafeMutableBytes { raw in
        for b in 0..<rows * cols / 256 {
            let block = raw.baseAddress! + b * Q8_K.blockBytes
            block.storeBytes(of: Float.random(in: 0.001...0.1, using: &rng), as: Float.self)
            for g in 0..<16 {
                var sum: Int16 = 0
                for i in 0..<16 {
                    let q = Int8.random(in: -127...127, using: &rng)
                    block.storeBytes(of: q, toByteOffset: 4 + 16 * g + i, as: Int8.self)
                    sum += Int16(q)
                }
                block.storeBytes(of: sum, toByteOffset: 260 + 2 * g, as: Int16.self)
            }
        }
    }
    return bytes
}

@Suite("Q2_K, Q3_K, Q5_K")
struct KQuantLowTests {
    @Test func blockLayoutsMatchGGML() {
        #expect(MemoryLayout<kk_block_q2_K>.size == 84 && MemoryLayout<kk_block_q2_K>.stride == 84)
        #expect(MemoryLayout<kk_block_q2_K>.offset(of: \kk_block_q2_K.qs) == 16)
        #expect(MemoryLayout<kk_block_q2_K>.offset(of: \kk_block_q2_K.d) == 80)
        #expect(MemoryLayout<kk_block_q3_K>.size == 110 && MemoryLayout<kk_block_q3_K>.stride == 110)
        #expect(MemoryLayout<kk_block_q3_K>.offset(of: \kk_block_q3_K.scales) == 96)
        #expect(MemoryLayout<kk_block_q3_K>.offset(of: \kk_block_q3_K.d) == 108)
        #expect(MemoryLayout<kk_block_q5_K>.size == 176 && MemoryLayout<kk_block_q5_K>.stride == 176)
        #expect(MemoryLayout<kk_block_q5_K>.offset(of: \kk_block_q5_K.qh) == 16)
        #expect(MemoryLayout<kk_block_q5_K>.offset(of: \kk_block_q5_K.qs) == 48)
        #expect(Q2_K.blockBytes == 84 && Q3_K.blockBytes == 110 && Q5_K.blockBytes == 176)
        #expect(Q8_K.blockBytes == 292 && QuantType.q8_K.blockBytes == 292)
    }

    /// Tests/Data/quant/kquant-low-golden.bin (scripts/make-kquant-low-golden.py): random
    /// super-blocks and gguf-py's dequantization of them, which must match bit for bit.
    @Test func dequantizeMatchesGGUFPy() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Data/quant/kquant-low-golden.bin")
        let file = [UInt8](try Data(contentsOf: url))
        func u32(_ at: Int) -> Int { Int(file[at]) | Int(file[at + 1]) << 8 | Int(file[at + 2]) << 16 | Int(file[at + 3]) << 24 }
        #expect(file.count > 12 && String(decoding: file[0..<4], as: UTF8.self) == "KQLD" && u32(4) == 1)
        var at = 12, seen: [String] = []
        for _ in 0..<u32(8) {
            let (ggmlType, nsb, blockBytes) = (UInt32(u32(at)), u32(at + 4), u32(at + 8))
            at += 12
            let kind = try #require(KQuantLowCase.all.first { $0.type.rawValue == ggmlType })
            #expect(blockBytes == kind.blockBytes)
            let blocks = Array(file[at..<at + nsb * blockBytes])
            at += nsb * blockBytes
            let expected = (0..<nsb * 256).map { UInt32(u32(at + 4 * $0)) }
            at += 4 * nsb * 256
            var got = [Float](repeating: .nan, count: nsb * 256)
            blocks.withUnsafeBytes { kind.dequantize($0.baseAddress!, &got, nsb * 256) }
            let bad = (0..<got.count).filter { got[$0].bitPattern != expected[$0] }
            #expect(bad.isEmpty, "\(kind) elements \(bad.prefix(4)): got \(bad.prefix(4).map { got[$0] }), gguf-py \(bad.prefix(4).map { Float(bitPattern: expected[$0]) })")
            seen.append(kind.name)
        }
        #expect(at == file.count)
        #expect(seen == ["Q2_K", "Q3_K", "Q5_K"])
    }

    @Test(arguments: KQuantLowCase.all)
    func referenceDotMatchesDequantizedDot(kind: KQuantLowCase) {
        var rng = SeededGenerator(seed: 0x4B51 + UInt64(kind.type.rawValue))
        for cols in [256, 768, 2048] {
            let w = kind.randomRows(1, cols: cols, rng: &rng), x = randomQ8KRows(1, cols: cols, rng: &rng)
            var wf = [Float](repeating: 0, count: cols)
            w.withUnsafeBytes { kind.dequantize($0.baseAddress!, &wf, cols) }
            var expected: Double = 0
            x.withUnsafeBytes { xp in
                for i in 0..<cols { expected += Double(wf[i]) * Double(Self.activation(xp.baseAddress!, i)) }
            }
            let mag = Double(w.withUnsafeBytes { wp in x.withUnsafeBytes { Self.magnitude(kind, wp.baseAddress!, $0.baseAddress!, cols) } })
            let got = w.withUnsafeBytes { wp in x.withUnsafeBytes { kind.dot(wp.baseAddress!, $0.baseAddress!, cols) } }
            #expect(abs(Double(got) - expected) <= 1e-5 * mag, "\(kind) K=\(cols): \(got) vs \(expected) (Σ|terms| \(mag))")
        }
    }

    /// Element i of a Q8_K row, d·q.
    static func activation(_ x: UnsafeRawPointer, _ i: Int) -> Float {
        let block = x + i / 256 * Q8_K.blockBytes
        return Q8_K.d(block) * Float(Q8_K.q(block, i % 256))
    }

    /// Σ_i (|w_i| + 2·|dmin·m_i|)·|x_i| ≥ Σ_i (|d·sc·q_i| + |dmin·m_i|)·|x_i|: the size of the
    /// terms the kernels sum (the mins' term can cancel most of d·sc·q, so |w·x| alone is not).
    static func magnitude(_ kind: KQuantLowCase, _ w: UnsafeRawPointer, _ x: UnsafeRawPointer, _ cols: Int) -> Float {
        var wf = [Float](repeating: 0, count: cols)
        kind.dequantize(w, &wf, cols)
        var sum: Float = 0
        for i in 0..<cols {
            let block = w + i / 256 * kind.blockBytes, e = i % 256
            let minTerm: Float = switch kind.name {
            case "Q2_K": abs(block.half(at: 82) * Float(block.byte(at: e / 16) >> 4))
            case "Q5_K": abs(block.half(at: 2) * Float(Q4_K.scaleMin(block, e / 32).m))
            default: 0
            }
            sum += (abs(wf[i]) + 2 * minTerm) * abs(activation(x, i))
        }
        return sum
    }

    /// Every fast table this CPU runs has its own kernel for the type (not the reference
    /// fallback), held to the reference dot on random Q8_K rows (full-range q) through the table's
    /// tile entry point: rows [1, R) when R > 1 so r0 > 0 runs, NaN marking what must stay unwritten.
    @Test(arguments: KQuantLowCase.all)
    func fastKernelsMatchReferenceDot(kind: KQuantLowCase) throws {
        let fastTables = KernelTable.allRunnable().filter { $0.name != "reference" }
        #if arch(x86_64)
        if kk_cpu_features() & UInt32(KK_CPU_AVX2) != 0 { #expect(!fastTables.isEmpty) }
        #endif
        var rng = SeededGenerator(seed: 0xFA57 + UInt64(kind.type.rawValue))
        for (rows, cols) in [(1, 256), (3, 512), (7, 768), (33, 256), (17, 1536), (5, 4096)] {
            let w = kind.randomRows(rows, cols: cols, rng: &rng)
            let xRowBytes = QuantType.q8_K.rowBytes(cols: cols)
            for n in [1, 2, 3, 5, 17] {
                let x = randomQ8KRows(n, cols: cols, rng: &rng)
                try w.withUnsafeBytes { wp in
                    let matrix = try WeightMatrix(type: kind.type, rows: rows, cols: cols, data: wp.baseAddress!)
                    try x.withUnsafeBytes { xp in
                        for table in fastTables {
                            let kernels = table[kind.type]
                            #expect(kernels.implementation == table.name && kernels.partner == .q8_K, "\(table.name) \(kind)")
                            let r0 = rows > 1 ? 1 : 0
                            var got = [Float](repeating: .nan, count: n * rows)   // [n, rows]
                            kernels.gemm(matrix, r0..<rows, xp.baseAddress!, xRowBytes, n, &got)
                            var worst: Float = 0
                            for t in 0..<n {
                                let xt = xp.baseAddress! + t * xRowBytes
                                for r in 0..<rows {
                                    let i = t * rows + r
                                    guard r >= r0 else {
                                        #expect(got[i].isNaN, "\(table.name) \(kind) wrote row \(r) outside [\(r0), \(rows))")
                                        continue
                                    }
                                    let expected = kind.dot(matrix.row(r), xt, cols)
                                    let err = abs(got[i] - expected) / max(Self.magnitude(kind, matrix.row(r), xt, cols), 1e-30)
                                    worst = max(worst, err.isNaN ? .infinity : err)
                                }
                            }
                            #expect(worst <= 1e-5, "\(table.name) \(kind) \(rows)x\(cols) n=\(n): rel err \(worst)")
                        }
                    }
                }
            }
        }
    }

    @Test func registeredAsGGMLNumbersThem() throws {
        for (type, raw, bytes) in [(QuantType.q2_K, UInt32(10), 84), (.q3_K, 11, 110), (.q5_K, 13, 176)] {
            #expect(type.rawValue == raw && QuantType(rawValue: raw) == type)
            #expect(type.blockSize == 256 && type.blockBytes == bytes && type.rowBytes(cols: 1024) == 4 * bytes)
            #expect(type.isWeightType && KernelTable.partner(of: type) == .q8_K)
            #expect(throws: KernelError.colsNotMultipleOfBlock(type: type, cols: 640, blockSize: 256)) {
                try WeightMatrix(typeRawValue: raw, rows: 1, cols: 640, data: UnsafeRawPointer(bitPattern: 64)!)
            }
        }
        #expect(QuantType.q2_K.description == "Q2_K" && QuantType.q3_K.description == "Q3_K" && QuantType.q5_K.description == "Q5_K")
    }
}
