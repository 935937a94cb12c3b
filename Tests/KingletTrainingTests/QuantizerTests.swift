import Foundation
import KingletGGUF
import KingletKernels
import Testing
@testable import KingletTraining

@Suite("Export quantizers")
struct QuantizerTests {
    /// Tests/Data/quant/quant-golden.bin, made by gguf-py (scripts/make-quant-golden.py).
    struct Golden {
        var inputs: [Float] = []
        var f16: [UInt8] = [], q8_0: [UInt8] = [], q4_0: [UInt8] = []

        init() throws {
            let bytes = [UInt8](try Data(contentsOf: TrainingTestData.root.appendingPathComponent("quant/quant-golden.bin")))
            func u32(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24 }
            #expect(Array(bytes[0 ..< 4]) == Array("KQGL".utf8) && u32(4) == 1)
            let k = u32(8)
            var at = 12
            func take(_ n: Int) -> [UInt8] { defer { at += n }; return Array(bytes[at ..< at + n]) }
            inputs = take(4 * k).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            f16 = take(2 * k)
            q8_0 = take(k / 32 * 34)
            q4_0 = take(k / 32 * 18)
            #expect(at == bytes.count)
        }
    }

    @Test func matchesGGUFPyBitForBit() throws {
        let g = try Golden()
        #expect(g.inputs.count == 1728)
        for (type, want) in [(GGMLType.f16, g.f16), (.q8_0, g.q8_0), (.q4_0, g.q4_0)] {
            let got = WeightQuantizer.convert(g.inputs, to: type)
            let firstDiff = zip(got, want).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            #expect(got == want, "\(type): first different byte \(firstDiff.map(String.init) ?? "-")")
        }
        // Both F16 paths: the CPU's and the plain Swift one.
        var reference = [UInt16](repeating: 0, count: g.inputs.count)
        g.inputs.withUnsafeBufferPointer { x in
            reference.withUnsafeMutableBufferPointer { HalfVector.reference.toHalf(x.baseAddress!, $0.baseAddress!, count: g.inputs.count) }
        }
        #expect(reference.withUnsafeBytes { Array($0) } == g.f16)
    }

    /// Q8_0 equals the kernels' portable reference (`quantize_row_q8_0_ref`) on ordinary data.
    @Test func q8_0EqualsTheKernelReference() {
        var s: UInt64 = 11
        let x = (0 ..< 32 * 64).map { i -> Float in
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return (Float(s >> 40) / Float(1 << 24) - 0.5) * Float(1 + i % 7)
        }
        var want = [UInt8](repeating: 0, count: 64 * 34)
        x.withUnsafeBufferPointer { p in
            want.withUnsafeMutableBytes { ReferenceKernels.quantizeRow(p.baseAddress!, to: .q8_0, $0.baseAddress!, count: x.count, rounding: .portable) }
        }
        #expect(WeightQuantizer.convert(x, to: .q8_0) == want)
    }

    /// Dequantized Q4_0/Q8_0 stay within half a step of the input.
    @Test(arguments: [QuantType.q8_0, .q4_0])
    func dequantizedValuesAreWithinHalfAStep(type: QuantType) throws {
        let x = try Golden().inputs
        let bytes = WeightQuantizer.convert(x, to: GGMLType(rawValue: type.rawValue)!)
        var back = [Float](repeating: 0, count: x.count)
        bytes.withUnsafeBytes { b in back.withUnsafeMutableBufferPointer { ReferenceKernels.dequantizeRow(type, b.baseAddress!, into: $0.baseAddress!, count: x.count) } }
        for block in 0 ..< x.count / 32 {
            let d = abs(halfToFloat(bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: block * type.blockBytes, as: UInt16.self) }))
            guard d.isFinite, d >= 0x1p-14 else { continue }  // subnormal F16 scales carry few bits
            for j in block * 32 ..< block * 32 + 32 {
                // Q4_0 clips the top of the range to 15, one step short of +8·d.
                let allowed = type == .q4_0 ? d * 1.01 : d * 0.51 + abs(x[j]) * 1e-3
                #expect(abs(back[j] - x[j]) <= allowed, "\(type) block \(block) element \(j): \(x[j]) → \(back[j])")
            }
        }
    }

    @Test func exportTypesUseLlamaCppFileTypes() {
        #expect(ExportType.allCases.map(\.fileType) == [0, 1, 7, 2])
        #expect(ExportType.allCases.map(\.tensorType) == [.f32, .f16, .q8_0, .q4_0])
        #expect(ExportType(rawValue: "q4_0") == .q4_0)
    }
}
