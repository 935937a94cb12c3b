// Reference dequantization against blocks built and evaluated by hand.
import Testing
@testable import KingletKernels

@Suite("Dequantize by hand")
struct DequantizeTests {
    func dequantize(_ type: QuantType, _ bytes: [UInt8], count: Int) -> [Float] {
        var out = [Float](repeating: .nan, count: count)
        bytes.withUnsafeBytes { ReferenceKernels.dequantizeRow(type, $0.baseAddress!, into: &out, count: count) }
        return out
    }

    func le(_ h: UInt16) -> [UInt8] { [UInt8(h & 0xFF), UInt8(h >> 8)] }

    @Test func q4_0() {
        // d = 0.5; qs[j] = j (low nibble) | (15 - j) << 4 (high nibble)
        let block = le(0x3800) + (0..<16).map { UInt8($0 | (15 - $0) << 4) }
        #expect(block.count == 18)
        let v = dequantize(.q4_0, block, count: 32)
        for j in 0..<16 {
            #expect(v[j] == Float(j - 8) * 0.5)
            #expect(v[j + 16] == Float(7 - j) * 0.5)
        }
    }

    @Test func q4_1() {
        // d = 0.25, m = -1
        let block = le(0x3400) + le(0xBC00) + (0..<16).map { UInt8($0 | (15 - $0) << 4) }
        #expect(block.count == 20)
        let v = dequantize(.q4_1, block, count: 32)
        for j in 0..<16 {
            #expect(v[j] == Float(j) * 0.25 - 1)
            #expect(v[j + 16] == Float(15 - j) * 0.25 - 1)
        }
    }

    @Test func q8_0() {
        // two blocks: d = 2 and d = -0.5
        let blocks = le(0x4000) + (0..<32).map { UInt8(bitPattern: Int8($0 - 16)) }
            + le(0xB800) + (0..<32).map { UInt8(bitPattern: Int8(127 - $0 * 8)) }
        let v = dequantize(.q8_0, blocks, count: 64)
        for j in 0..<32 {
            #expect(v[j] == Float(j - 16) * 2)
            #expect(v[32 + j] == Float(127 - j * 8) * -0.5)
        }
    }

    @Test func floats() {
        #expect(dequantize(.f16, le(0x3C00) + le(0xC000) + le(0x0001), count: 3) == [1, -2, 0x1p-24])
        #expect(dequantize(.bf16, le(0x3F80) + le(0xC040), count: 2) == [1, -3])
        let f: [Float] = [1.5, -0.25]
        let bytes = f.withUnsafeBytes { Array($0) }
        #expect(dequantize(.f32, bytes, count: 2) == f)
    }

    @Test func kernelsEntryPointUsesRows() throws {
        let bytes = le(0x4000) + [UInt8](repeating: 1, count: 32) + le(0x3C00) + [UInt8](repeating: 3, count: 32)
        var out = [Float](repeating: 0, count: 32)
        try bytes.withUnsafeBytes { raw in
            let w = try WeightMatrix(typeRawValue: 8, rows: 2, cols: 32, data: raw.baseAddress!)
            Kernels.dequantizeRow(w, row: 1, into: &out)
        }
        #expect(out == [Float](repeating: 3, count: 32))
    }
}
