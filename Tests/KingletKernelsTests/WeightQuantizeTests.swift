import Foundation
import Testing
@testable import KingletKernels

/// The reference weight quantizers against ggml's own `quantize_row_*_ref` (golden bytes from
/// llama.cpp's ggml-base library), and their round trip through the reference dequantizers.
@Suite("Weight quantizers")
struct WeightQuantizeTests {
    /// Tests/Data/quant/weight-quant-golden.bin (scripts/make-quantize-fixtures.sh): 14 super-blocks
    /// of crafted rows (zeros, typical, subnormal scales, huge, outliers, all positive, all
    /// negative, constant, one value, zero half-groups, below ggml's epsilon, exact ties, sign
    /// split, differing group scales), then ggml's encoding of them in each type.
    struct Golden {
        var inputs: [Float] = []
        var encodings: [(type: QuantType, bytes: [UInt8])] = []

        init() throws {
            let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Data/quant/weight-quant-golden.bin")
            let bytes = [UInt8](try Data(contentsOf: url))
            func u32(_ at: Int) -> Int { bytes[at..<at + 4].reversed().reduce(0) { $0 << 8 | Int($1) } }
            #expect(Array(bytes[0..<4]) == Array("KWQG".utf8) && u32(4) == 1)
            let k = u32(8)
            var at = 12
            inputs = bytes[at..<at + 4 * k].withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            at += 4 * k
            while at < bytes.count {
                let type = try #require(QuantType(rawValue: UInt32(u32(at))))
                let n = u32(at + 4)
                encodings.append((type, Array(bytes[at + 8..<at + 8 + n])))
                at += 8 + n
            }
        }
    }

    static func quantize(_ x: [Float], _ type: QuantType) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: x.count / type.blockSize * type.blockBytes)
        x.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBytes { ReferenceKernels.quantizeWeightRow(p.baseAddress!, to: type, $0.baseAddress!, count: x.count) }
        }
        return out
    }

    static func dequantize(_ bytes: [UInt8], _ type: QuantType, count: Int) -> [Float] {
        var back = [Float](repeating: 0, count: count)
        bytes.withUnsafeBytes { b in back.withUnsafeMutableBufferPointer { ReferenceKernels.dequantizeRow(type, b.baseAddress!, into: $0.baseAddress!, count: count) } }
        return back
    }

    @Test func matchesGGMLBitForBit() throws {
        let g = try Golden()
        #expect(g.encodings.map(\.type) == [.q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K])
        for (type, want) in g.encodings {
            let got = Self.quantize(g.inputs, type)
            let firstDiff = zip(got, want).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            #expect(got == want, "\(type): first different byte \(firstDiff.map { "\($0) (block \($0 / type.blockBytes))" } ?? "-")")
        }
    }

    /// Every weight type's quantizer exists, and the activation-only types have none.
    @Test func everyWeightTypeCanBeWritten() {
        for type in QuantType.allCases {
            #expect(type.canQuantizeWeights == type.isWeightType, "\(type)")
        }
    }

    /// Round trip on rows of a sum of two uniforms: the relative RMS error per type stays under a
    /// bound that a wrong scale, a swapped nibble or a lost high bit would break by far. ggml's
    /// own quantizers on the same distribution measure 0.0047 (Q8_0), 0.016 (Q6_K), 0.033 (Q5_K),
    /// 0.035 (Q5_1), 0.038 (Q5_0), 0.065 (Q4_K), 0.072 (Q4_1), 0.076 (Q4_0), 0.139 (Q3_K) and
    /// 0.277 (Q2_K); each bound sits 6–45 % above.
    @Test(arguments: [
        (QuantType.q8_0, Float(0.005)), (.q6_K, 0.02), (.q5_K, 0.04), (.q5_1, 0.04), (.q5_0, 0.05),
        (.q4_K, 0.08), (.q4_1, 0.09), (.q4_0, 0.11), (.q3_K, 0.2), (.q2_K, 0.4),
    ])
    func roundTripErrorIsBounded(type: QuantType, bound: Float) {
        var rng = SeededGenerator(seed: 7)
        let x = (0..<256 * 64).map { _ in Float.random(in: -1...1, using: &rng) + Float.random(in: -1...1, using: &rng) }
        let back = Self.dequantize(Self.quantize(x, type), type, count: x.count)
        var err: Double = 0, norm: Double = 0
        for i in x.indices {
            err += Double((back[i] - x[i]) * (back[i] - x[i]))
            norm += Double(x[i] * x[i])
        }
        let relative = Float((err / norm).squareRoot())
        #expect(relative < bound, "\(type): relative RMS error \(relative)")
    }

    /// All-zero rows encode to blocks that dequantize to exactly zero in every type.
    @Test(arguments: QuantType.allCases.filter(\.canQuantizeWeights))
    func zerosStayZero(type: QuantType) {
        let x = [Float](repeating: 0, count: 512)
        #expect(Self.dequantize(Self.quantize(x, type), type, count: x.count).allSatisfy { $0 == 0 }, "\(type)")
    }

    /// NaN and infinities never trap (the model quantizer refuses such tensors before this
    /// point, as llama-quantize does; here the kernels only have to stay defined).
    @Test(arguments: QuantType.allCases.filter(\.canQuantizeWeights))
    func nonFiniteInputDoesNotTrap(type: QuantType) {
        var x = (0..<512).map { Float($0 % 13) - 6 }
        x[3] = .nan
        x[300] = .infinity
        x[301] = -.infinity
        #expect(Self.quantize(x, type).count == 512 / type.blockSize * type.blockBytes)
    }
}
