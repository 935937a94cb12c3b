import Foundation
import KingletGGUF

/// Why a prompt-cache file could not be written or was refused. A refused file is never loaded:
/// the cache it was meant for is left empty.
public enum PromptCacheFileError: Error, LocalizedError, Sendable, Equatable {
    /// The file cannot be read or written, is not a prompt-cache file, is of another version, or
    /// is truncated, padded or does not match its checksum.
    case file(FileError)
    /// Saved with another model file.
    case otherModel(path: String, savedFor: String, loaded: String)
    /// Saved with the same model but a cache this one cannot take (element type, context).
    case incompatible(path: String, what: String, hint: String)

    public var errorDescription: String? {
        switch self {
        case .file(let e): return e.errorDescription
        case .otherModel(let p, let saved, let loaded):
            return "the prompt cache \(p) was saved with \(saved), not the loaded \(loaded); it was not loaded. A cache file only serves the model file it was saved with."
        case .incompatible(let p, let w, let hint): return "the prompt cache \(p) \(w); it was not loaded. \(hint)"
        }
    }
}

extension FileError.Format {
    /// The files `PromptCacheFile` saves and restores.
    public static let promptCache = FileError.Format(
        name: "Kinglet prompt-cache file",
        remedy: "It was not loaded; point at a file a Kinglet prompt cache saved, or delete it (it is rebuilt on the next save).")
}
