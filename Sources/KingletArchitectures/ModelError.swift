import Foundation
import KingletGGUF
import KingletKernels

/// Why a model could not be loaded or run.
public enum ModelError: Error, Sendable, LocalizedError, Equatable {
    case unsupportedArchitecture(String, supported: [String])
    case missingMetadata(key: String)
    /// A metadata value of the wrong type or out of range: the key and what was expected.
    case badMetadata(key: String, expected: String)
    case badConfig(String)
    case missingTensor(String)
    case badTensorShape(name: String, expected: [Int], found: [Int])
    /// A tensor whose shape is right but whose value at `index` is not usable (a zero RoPE factor).
    case badTensorValue(name: String, index: Int, expected: String)
    case unsupportedTensorType(name: String, type: String)
    /// A tensor the architecture does not read (a bias or scale Kinglet does not apply).
    case unusedTensor(name: String, architecture: String)
    case contextFull(needed: Int, capacity: Int)
    case tokenOutOfRange(Int32, vocabularySize: Int)
    case file(GGUFError)

    public var errorDescription: String? {
        switch self {
        case .unsupportedArchitecture(let a, let s):
            return "model architecture '\(a)' is not supported (supported: \(s.joined(separator: ", ")))."
        case .missingMetadata(let k):
            return "model metadata '\(k)' is missing. The GGUF file is incomplete or for another architecture."
        case .badMetadata(let k, let e):
            return "model metadata '\(k)' is invalid: expected \(e). The GGUF file is damaged or was written by a broken converter."
        case .badConfig(let why):
            return "model configuration is invalid: \(why)."
        case .missingTensor(let n):
            return "tensor '\(n)' is missing from the model file."
        case .badTensorShape(let n, let e, let f):
            return "tensor '\(n)' has shape \(f), expected \(e)."
        case .badTensorValue(let n, let i, let e):
            return "tensor '\(n)' has an invalid value at index \(i): expected \(e)."
        case .unsupportedTensorType(let n, let t):
            let supported = QuantType.allCases.filter(\.isWeightType).map(\.description).joined(separator: ", ")
            return "tensor '\(n)' has type \(t), which Kinglet cannot compute with yet (supported: \(supported)). Convert or quantize the model to one of these types."
        case .unusedTensor(let n, let a):
            return "tensor '\(n)' is in the file, but Kinglet's \(a) architecture does not use it; running without it would give wrong answers, so the file is refused. It may be a variant of \(a) Kinglet does not support yet: please report it with the file's name."
        case .contextFull(let needed, let cap):
            return "the context is full: \(needed) tokens needed, \(cap) available. Use a larger context length or a shorter prompt."
        case .tokenOutOfRange(let t, let v):
            return "token id \(t) is outside the vocabulary (size \(v))."
        case .file(let e):
            return e.errorDescription
        }
    }
}
