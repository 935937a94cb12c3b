// Pins ggml's block layouts: if any of these change, every GGUF file would be misread.
import CKingletKernels
import Testing
@testable import KingletKernels

@Suite("Block layouts")
struct BlockLayoutTests {
    @Test func cStructSizesMatchGGML() {
        #expect(MemoryLayout<kk_block_q4_0>.size == 18)
        #expect(MemoryLayout<kk_block_q4_0>.stride == 18)
        #expect(MemoryLayout<kk_block_q4_1>.size == 20)
        #expect(MemoryLayout<kk_block_q4_1>.stride == 20)
        #expect(MemoryLayout<kk_block_q8_0>.size == 34)
        #expect(MemoryLayout<kk_block_q8_0>.stride == 34)
        #expect(MemoryLayout<kk_block_q8_1>.size == 36)
        #expect(MemoryLayout<kk_block_q8_1>.stride == 36)
        #expect(MemoryLayout<kk_block_q8_1>.offset(of: \kk_block_q8_1.qs) == 4)
        #expect(MemoryLayout<kk_block_q4_1>.offset(of: \kk_block_q4_1.qs) == 4)
    }

    @Test func quantTypeTable() {
        let expected: [(QuantType, UInt32, Int, Int)] = [
            (.f32, 0, 1, 4), (.f16, 1, 1, 2), (.q4_0, 2, 32, 18), (.q4_1, 3, 32, 20),
            (.q8_0, 8, 32, 34), (.q8_1, 9, 32, 36), (.bf16, 30, 1, 2),
        ]
        for (type, raw, block, bytes) in expected {
            #expect(type.rawValue == raw)
            #expect(type.blockSize == block)
            #expect(type.blockBytes == bytes)
        }
        #expect(QuantType.q4_1.rowBytes(cols: 576) == 18 * 20)
    }

    @Test func weightMatrixValidation() throws {
        let bytes = UnsafeMutableRawPointer.allocate(byteCount: 1024, alignment: 64)
        defer { bytes.deallocate() }
        #expect(throws: KernelError.unsupportedType(rawValue: 12)) {
            try WeightMatrix(typeRawValue: 12, rows: 1, cols: 256, data: bytes)
        }
        #expect(throws: KernelError.unsupportedType(rawValue: 9)) {
            try WeightMatrix(typeRawValue: 9, rows: 1, cols: 32, data: bytes)
        }
        #expect(throws: KernelError.colsNotMultipleOfBlock(type: .q4_0, cols: 40, blockSize: 32)) {
            try WeightMatrix(typeRawValue: 2, rows: 1, cols: 40, data: bytes)
        }
        #expect(throws: KernelError.invalidShape(rows: 0, cols: 32)) {
            try WeightMatrix(typeRawValue: 0, rows: 0, cols: 32, data: bytes)
        }
        let w = try WeightMatrix(typeRawValue: 3, rows: 2, cols: 64, data: bytes)
        #expect(w.type == .q4_1 && w.rowBytes == 40 && w.byteCount == 80)
        #expect(w.row(1) == UnsafeRawPointer(bytes) + 40)
    }
}
