import Foundation

/// Everything that can be wrong with a GGUF file, with where it was found and what to do about it.
public enum GGUFError: Error, Sendable, Equatable, LocalizedError {
    /// The file could not be opened or mapped.
    case cannotOpen(path: String, reason: String)
    /// The first four bytes are not "GGUF".
    case badMagic(found: UInt32)
    /// A GGUF version this reader does not know.
    case unsupportedVersion(UInt32)
    /// The file ended before a value that starts at `offset` was complete.
    case truncated(offset: Int, reading: String)
    /// A value is present but invalid (bad type tag, impossible count, bad UTF-8, ...).
    case invalid(offset: Int, what: String)
    /// A tensor's description or data range is inconsistent with the file.
    case badTensor(name: String, reason: String)
    /// A required metadata key is missing or has the wrong type.
    case missingKey(String, expected: String)
    /// No tensor of that name.
    case missingTensor(String)
    /// Writing a GGUF file failed (disk full, no permission, the directory is gone, ...).
    case cannotWrite(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .cannotOpen(let path, let reason):
            return "cannot open \(path): \(reason). Check the path and that the file is readable."
        case .badMagic(let found):
            return String(format: "not a GGUF file (magic 0x%08x, expected 'GGUF'). Is this a .gguf model?", found)
        case .unsupportedVersion(let v):
            return "unsupported GGUF version \(v) (Kinglet reads versions 2 and 3)."
        case .truncated(let offset, let reading):
            return "GGUF file truncated at byte \(offset) while reading \(reading). The download may be incomplete; pull the model again."
        case .invalid(let offset, let what):
            return "corrupt GGUF file at byte \(offset): \(what). The file is damaged; pull the model again."
        case .badTensor(let name, let reason):
            return "tensor '\(name)': \(reason). The file is damaged or was written by an incompatible tool."
        case .missingKey(let key, let expected):
            return "metadata key '\(key)' missing or not \(expected). The file may be for an unsupported model."
        case .missingTensor(let name):
            return "tensor '\(name)' not found in the model file."
        case .cannotWrite(let path, let reason):
            return "cannot write \(path): \(reason). Check that the directory exists, is writable and has room."
        }
    }
}
