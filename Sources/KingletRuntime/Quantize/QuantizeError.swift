import Foundation
import KingletGGUF
import KingletKernels

/// Why a quantization stopped, with where and what would fix it.
public enum QuantizeError: Error, LocalizedError, Sendable, Equatable {
    /// The input could not be read as GGUF (not a GGUF file, truncated, damaged, a tensor whose
    /// rows are not whole blocks of its type).
    case input(path: String, GGUFError)
    /// The input is GGUF but not a model (no `general.architecture`).
    case notAModel(path: String)
    /// An unknown target type name.
    case unsupportedType(String)
    /// A tensor that must be converted is in a type Kinglet cannot read.
    case unsupportedTensorType(tensor: String, type: GGMLType)
    /// A tensor holds NaN or infinity (llama-quantize refuses such files too).
    case nonFiniteValue(tensor: String, row: Int)
    /// The input and output are the same file.
    case sameFile(path: String)
    /// Writing the output failed; nothing was left under its name.
    case output(path: String, GGUFError)
    /// The run was cancelled; nothing was left under the output's name.
    case cancelled
    /// The thread count asked for is out of range.
    case threads(ThreadCountError)

    public var errorDescription: String? {
        switch self {
        case .input(let path, let e):
            return "\(path) is not a readable GGUF model: \(e.localizedDescription)"
        case .notAModel(let path):
            return "\(path) has no general.architecture: it is a GGUF file but not a model. Quantize a model file."
        case .unsupportedType(let name):
            let names = QuantizeFileType.allCases.map(\.rawValue).joined(separator: ", ")
            return "unknown quantization type '\(name)'. Use one of \(names) (Q3_K, Q4_K, Q5_K are aliases of the _M mixtures)."
        case .unsupportedTensorType(let t, let type):
            return "tensor '\(t)' is \(type), which Kinglet cannot dequantize. Start from an F32, F16 or BF16 file."
        case .nonFiniteValue(let t, let row):
            return "tensor '\(t)' holds NaN or infinity (row \(row)). The weights are broken; re-export the model."
        case .sameFile(let path):
            return "input and output are the same file (\(path)). Write the quantized model to a new path."
        case .output(let path, let e):
            return "cannot write \(path): \(e.localizedDescription)"
        case .cancelled:
            return "quantization cancelled; no output file was left."
        case .threads(let e):
            return e.localizedDescription
        }
    }
}
