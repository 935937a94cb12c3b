import Foundation
import KingletKernels

/// Quantization-aware training: the forward and backward passes see each weight matrix as the
/// file it will ship in will hold it (quantized with the reference quantizer, then dequantized),
/// while the optimizer updates the full-precision master weights with those gradients (the
/// straight-through estimator). Healing then happens in the weights the user runs: a 4-bit file
/// keeps what training taught it, instead of rounding much of it away afterwards.
///
/// Quantizers work row by row (every ggml type's blocks lie within one row), so each matrix is
/// quantized in rows of `cols` values exactly as the exporter and `kinglet quantize` do, and the
/// weights a training step sees equal the shipped file's dequantized weights bit for bit.
public struct FakeQuantization: Sendable {
    /// One matrix: `rows × cols` floats at `offset` in the parameter buffer, rounded to `type`.
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var offset: Int
        public var rows: Int
        public var cols: Int
        public var type: QuantType

        public init(name: String, offset: Int, rows: Int, cols: Int, type: QuantType) {
            self.name = name
            self.offset = offset
            self.rows = rows
            self.cols = cols
            self.type = type
        }
    }

    /// What the rounding imitates (a llama.cpp file type's name, e.g. "Q4_1"): recorded in the
    /// run's settings, so that a resume with another target is refused.
    public var target: String
    public var entries: [Entry]

    /// Refuses entries that do not fit `layout` or whose rows are not whole blocks of their type,
    /// and types without a weight quantizer.
    public init(target: String, entries: [Entry], layout: ParameterLayout) throws(FakeQuantizationError) {
        for e in entries {
            guard e.type.canQuantizeWeights else { throw .noQuantizer(tensor: e.name, type: "\(e.type)") }
            guard e.cols > 0, e.rows > 0, e.cols % e.type.blockSize == 0 else {
                throw .rowsNotWholeBlocks(tensor: e.name, cols: e.cols, type: "\(e.type)", blockSize: e.type.blockSize)
            }
            guard e.offset >= 0, e.offset + e.rows * e.cols <= layout.count else {
                throw .outsideParameters(tensor: e.name, offset: e.offset, count: e.rows * e.cols, parameters: layout.count)
            }
        }
        self.target = target
        self.entries = entries
    }

    /// Writes the rounded matrices of `master` into `out` (both [layout.count]); values outside
    /// the entries are left as they are in `out`. Rows are shared among the pool's threads.
    public func round(_ master: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, pool: ThreadPool?) {
        for e in entries {
            let rowBytes = e.type.rowBytes(cols: e.cols)
            Parallel.rows(e.rows, pool: pool) { range in
                let scratch = UnsafeMutableRawPointer.allocate(byteCount: rowBytes, alignment: 64)
                defer { scratch.deallocate() }
                for r in range {
                    let at = e.offset + r * e.cols
                    ReferenceKernels.quantizeWeightRow(master + at, to: e.type, scratch, count: e.cols)
                    ReferenceKernels.dequantizeRow(e.type, scratch, into: out + at, count: e.cols)
                }
            }
        }
    }

    /// Elements rounded per application.
    public var elementCount: Int { entries.reduce(0) { $0 + $1.rows * $1.cols } }
}

/// A quantization-aware training plan that cannot be applied.
public enum FakeQuantizationError: Error, Sendable, Equatable, LocalizedError {
    case noQuantizer(tensor: String, type: String)
    case rowsNotWholeBlocks(tensor: String, cols: Int, type: String, blockSize: Int)
    case outsideParameters(tensor: String, offset: Int, count: Int, parameters: Int)

    public var errorDescription: String? {
        switch self {
        case let .noQuantizer(tensor, type):
            return "cannot train '\(tensor)' for \(type): Kinglet has no quantizer for that type. Hint: train for another file type (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1 or a K-quant)."
        case let .rowsNotWholeBlocks(tensor, cols, type, blockSize):
            return "cannot round '\(tensor)' to \(type): its rows of \(cols) values are not whole blocks of \(blockSize). Hint: leave that tensor at a type whose block divides the row, as the quantizer's fallback does."
        case let .outsideParameters(tensor, offset, count, parameters):
            return "'\(tensor)' (\(count) values at \(offset)) lies outside the model's \(parameters) parameters. Hint: build the plan from this model's own ParameterLayout."
        }
    }
}
