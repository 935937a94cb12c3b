/// Why a weight matrix cannot be used by the kernels.
public enum KernelError: Error, Equatable, CustomStringConvertible {
    /// The ggml type id is not one the kernels compute with.
    case unsupportedType(rawValue: UInt32)
    /// A row is not a whole number of blocks.
    case colsNotMultipleOfBlock(type: QuantType, cols: Int, blockSize: Int)
    /// Negative or zero dimensions.
    case invalidShape(rows: Int, cols: Int)

    public var description: String {
        switch self {
        case .unsupportedType(let raw):
            return "ggml type \(raw) is not supported by the kernels "
                + "(supported: \(QuantType.allCases.filter(\.isWeightType).map(\.description).joined(separator: ", "))); "
                + "re-quantize the model to one of these"
        case .colsNotMultipleOfBlock(let type, let cols, let blockSize):
            return "\(type) rows of \(cols) elements are not a whole number of \(blockSize)-element blocks"
                + (blockSize == 256 ? " (ggml's K-quants need rows that are multiples of 256)" : "")
        case .invalidShape(let rows, let cols):
            return "invalid weight shape \(rows) x \(cols): both dimensions must be positive"
        }
    }
}
