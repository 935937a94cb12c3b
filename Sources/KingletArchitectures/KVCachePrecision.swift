import Foundation
import KingletKernels

extension KVCache {
    /// The element type keys and values are stored in. The raw values are the CLI spellings
    /// (`--kv-cache f16`).
    public enum Precision: String, Sendable, CaseIterable {
        /// IEEE half floats, as llama.cpp stores them by default.
        case f16
        /// Single floats: no rounding of keys and values (twice f16's memory).
        case f32
        /// ggml's block_q8_0 per 32 elements: an f16 scale and 32 int8 (34 bytes, 8.5 bits per value).
        case q8_0
        /// ggml's block_q4_0 per 32 elements: an f16 scale and 16 bytes of nibbles (18 bytes, 4.5 bits).
        case q4_0

        /// The ggml block type of a quantized precision; nil for f16 and f32.
        public var blockType: QuantType? {
            switch self {
            case .f16, .f32: nil
            case .q8_0: .q8_0
            case .q4_0: .q4_0
            }
        }

        /// Bytes of one cached row of `rowSize` elements (whole blocks for a block type; a
        /// partial block, which `KVCache.validate` refuses, counts as a whole one), or nil on overflow.
        public func rowBytes(_ rowSize: Int) -> Int? {
            guard rowSize >= 0 else { return nil }
            switch self {
            case .f16: return rowSize.multipliedReportingOverflow(by: 2).overflow ? nil : rowSize * 2
            case .f32: return rowSize.multipliedReportingOverflow(by: 4).overflow ? nil : rowSize * 4
            case .q8_0, .q4_0:
                let type = blockType!
                let blocks = rowSize / type.blockSize + (rowSize % type.blockSize == 0 ? 0 : 1)
                let (n, overflow) = blocks.multipliedReportingOverflow(by: type.blockBytes)
                return overflow ? nil : n
            }
        }
    }

    /// Refuses a precision the model's attention heads cannot be stored in: a block type needs
    /// every KV head (`headSize` elements) to be whole 32-element blocks, so a block never holds
    /// two heads.
    public static func validate(_ precision: Precision, headSize: Int, kvHeads: Int) throws(KVCacheError) {
        guard let type = precision.blockType else { return }
        guard headSize > 0, headSize % type.blockSize == 0 else {
            throw .headNotWholeBlocks(precision: precision, headSize: headSize, rowSize: headSize * kvHeads,
                                      blockSize: type.blockSize)
        }
    }

    /// `validate` for a model's configuration.
    public static func validate(_ precision: Precision, config: ModelConfig) throws(KVCacheError) {
        try validate(precision, headSize: config.headSize, kvHeads: config.kvHeadCount)
    }
}

/// Why a KV cache cannot be created with the precision asked for.
public enum KVCacheError: Error, Equatable, Sendable, LocalizedError, CustomStringConvertible {
    /// A block precision (q8_0, q4_0) on heads that are not whole blocks.
    case headNotWholeBlocks(precision: KVCache.Precision, headSize: Int, rowSize: Int, blockSize: Int)

    public var description: String {
        switch self {
        case .headNotWholeBlocks(let precision, let headSize, let rowSize, let blockSize):
            return "a \(precision.rawValue) KV cache stores each attention head in \(blockSize)-element blocks, "
                + "but this model's heads have \(headSize) elements (KV rows of \(rowSize)), not a multiple of \(blockSize); "
                + "use an f16 (the default) or f32 KV cache for this model"
        }
    }

    public var errorDescription: String? { description }
}
