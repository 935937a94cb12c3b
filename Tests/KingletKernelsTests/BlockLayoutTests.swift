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
        #expect(MemoryLayout<kk_block_q5_0>.size == 22)
        #expect(MemoryLayout<kk_block_q5_0>.stride == 22)
        #expect(MemoryLayout<kk_block_q5_0>.offset(of: \kk_block_q5_0.qs) == 6)
        #expect(MemoryLayout<kk_block_q5_1>.size == 24)
        #expect(MemoryLayout<kk_block_q5_1>.stride == 24)
        #expect(MemoryLayout<kk_block_q5_1>.offset(of: \kk_block_q5_1.qs) == 8)
        #expect(MemoryLayout<kk_block_q4_K>.size == 144)
        #expect(MemoryLayout<kk_block_q4_K>.stride == 144)
        #expect(MemoryLayout<kk_block_q4_K>.offset(of: \kk_block_q4_K.qs) == 16)
        #expect(MemoryLayout<kk_block_q6_K>.size == 210)
        #expect(MemoryLayout<kk_block_q6_K>.stride == 210)
        #expect(MemoryLayout<kk_block_q6_K>.offset(of: \kk_block_q6_K.d) == 208)
        #expect(MemoryLayout<kk_block_q8_K>.size == 292)
        #expect(MemoryLayout<kk_block_q8_K>.stride == 292)
        #expect(MemoryLayout<kk_block_q8_K>.offset(of: \kk_block_q8_K.bsums) == 260)
    }

    @Test func quantTypeTable() {
        let expected: [(QuantType, UInt32, Int, Int)] = [
            (.f32, 0, 1, 4), (.f16, 1, 1, 2), (.q4_0, 2, 32, 18), (.q4_1, 3, 32, 20),
            (.q8_0, 8, 32, 34), (.q8_1, 9, 32, 36), (.bf16, 30, 1, 2),
            (.q5_0, 6, 32, 22), (.q5_1, 7, 32, 24), (.q4_K, 12, 256, 144), (.q6_K, 14, 256, 210), (.q8_K, 15, 256, 292),
        ]
        for (type, raw, block, bytes) in expected {
            #expect(type.rawValue == raw)
            #expect(type.blockSize == block)
            #expect(type.blockBytes == bytes)
        }
        #expect(QuantType.q4_1.rowBytes(cols: 576) == 18 * 20)
        #expect(QuantType.q4_K.rowBytes(cols: 2048) == 8 * 144)
        #expect(QuantType.q6_K.rowBytes(cols: 2048) == 8 * 210)
        #expect(QuantType.q8_K.rowBytes(cols: 640 * 4) == 10 * 292)
        #expect(QuantType.q5_0.rowBytes(cols: 640) == 20 * 22)
        #expect(KernelTable.partner(of: .q5_0) == .q8_0 && KernelTable.partner(of: .q5_1) == .q8_1)
        #expect(KernelTable.partner(of: .q4_K) == .q8_K && KernelTable.partner(of: .q6_K) == .q8_K)
        #expect(!QuantType.q8_K.isWeightType && !QuantType.q8_1.isWeightType)
    }

    @Test func weightMatrixValidation() throws {
        let bytes = UnsafeMutableRawPointer.allocate(byteCount: 1024, alignment: 64)
        defer { bytes.deallocate() }
        #expect(throws: KernelError.unsupportedType(rawValue: 16)) {   // IQ2_XXS
            try WeightMatrix(typeRawValue: 16, rows: 1, cols: 256, data: bytes)
        }
        #expect(throws: KernelError.unsupportedType(rawValue: 15)) {   // Q8_K: activations only
            try WeightMatrix(typeRawValue: 15, rows: 1, cols: 256, data: bytes)
        }
        // K-quants: rows must be whole 256-element super-blocks (ggml refuses others too).
        #expect(throws: KernelError.colsNotMultipleOfBlock(type: .q4_K, cols: 640, blockSize: 256)) {
            try WeightMatrix(typeRawValue: 12, rows: 1, cols: 640, data: bytes)
        }
        #expect(throws: KernelError.colsNotMultipleOfBlock(type: .q6_K, cols: 288, blockSize: 256)) {
            try WeightMatrix(typeRawValue: 14, rows: 1, cols: 288, data: bytes)
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
