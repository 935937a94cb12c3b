import Foundation

/// Why a prompt-cache file could not be written or was refused. A refused file is never loaded:
/// the cache it was meant for is left empty.
public enum PromptCacheFileError: Error, LocalizedError, Sendable, Equatable {
    case cannotRead(path: String, reason: String)
    case cannotWrite(path: String, reason: String)
    /// The file does not start with a Kinglet prompt-cache header.
    case notACacheFile(path: String)
    case unsupportedVersion(path: String, version: UInt32)
    /// The file is truncated, padded, or its bytes do not match its checksum.
    case damaged(path: String, what: String)
    /// Saved with another model file.
    case otherModel(path: String, savedFor: String, loaded: String)
    /// Saved with the same model but a cache this one cannot take (element type, context).
    case incompatible(path: String, what: String, hint: String)

    public var errorDescription: String? {
        switch self {
        case .cannotRead(let p, let r): return "cannot read the prompt cache \(p): \(r)."
        case .cannotWrite(let p, let r): return "cannot write the prompt cache \(p): \(r). Check that its folder exists and is writable."
        case .notACacheFile(let p): return "\(p) is not a Kinglet prompt-cache file. Point at a file a Kinglet prompt cache saved, or delete it."
        case .unsupportedVersion(let p, let v):
            return "the prompt cache \(p) has format version \(v); this Kinglet reads version \(PromptCacheFile.version). Delete it: it is rebuilt on the next save."
        case .damaged(let p, let w): return "the prompt cache \(p) is damaged (\(w)); it was not loaded. Delete it: it is rebuilt on the next save."
        case .otherModel(let p, let saved, let loaded):
            return "the prompt cache \(p) was saved with \(saved), not the loaded \(loaded); it was not loaded. A cache file only serves the model file it was saved with."
        case .incompatible(let p, let w, let hint): return "the prompt cache \(p) \(w); it was not loaded. \(hint)"
        }
    }
}
