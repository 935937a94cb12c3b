import Foundation
import KingletGGUF
import KingletKernels

/// Why an export failed, naming the file and what to do.
public enum ExportError: Error, Sendable, Equatable, LocalizedError {
    /// The checkpoint could not be opened or parsed.
    case cannotRead(path: String, reason: String)
    /// The checkpoint is not of an architecture the exporter knows.
    case unsupportedArchitecture(path: String, architecture: String?)
    /// The checkpoint lacks something a runnable model needs, or holds something unexpected.
    case badCheckpoint(path: String, what: String)
    /// A weight is NaN or infinite (training diverged).
    case nonFiniteWeight(path: String, tensor: String, index: Int)
    /// The output could not be written.
    case cannotWrite(path: String, reason: String)
    /// The thread count asked for is out of range.
    case threads(ThreadCountError)

    public var errorDescription: String? {
        switch self {
        case .cannotRead(let path, let reason):
            return "cannot read checkpoint \(path): \(reason)"
        case .unsupportedArchitecture(let path, let architecture):
            return "\(path) is a '\(architecture ?? "unknown")' model; only 'llama' checkpoints can be exported. Is this a Kinglet training checkpoint?"
        case .badCheckpoint(let path, let what):
            return "\(path) is not a usable training checkpoint: \(what). Export a checkpoint written by Kinglet's trainer."
        case .nonFiniteWeight(let path, let tensor, let index):
            return "\(path): tensor '\(tensor)' holds a NaN or infinite value (element \(index)); training diverged. Export an earlier checkpoint or lower the learning rate."
        case .cannotWrite(let path, let reason):
            return "cannot write \(path): \(reason). Check that the folder exists and is writable."
        case .threads(let e):
            return e.localizedDescription
        }
    }
}
