import Foundation

/// A file in one of Kinglet's own binary formats (prompt caches, logits files, token and score shards) that
/// cannot be read, written or used: which file, which format, what is wrong, and what to do. Each
/// format's errors carry one of these, so every format says "damaged", "truncated" or "a newer
/// version" the same way.
public struct FileError: Error, Sendable, Equatable, LocalizedError {
    /// One of Kinglet's file formats: its name in messages, and how to get a good file in place of
    /// one that cannot be used.
    public struct Format: Sendable, Equatable {
        /// "Kinglet prompt-cache file", "Kinglet token shard (.ktok)", ...
        public var name: String
        /// What to do about a file that is not one, is damaged or is of another version.
        public var remedy: String

        public init(name: String, remedy: String) {
            self.name = name
            self.remedy = remedy
        }
    }

    /// What is wrong.
    public enum Problem: Sendable, Equatable {
        /// Opening, mapping or reading failed: the system's reason.
        case cannotRead(String)
        /// Creating, writing or renaming failed: the system's reason.
        case cannotWrite(String)
        /// The file does not start with the format's magic (or is too short to).
        case notThisFormat
        /// A version of the format this build does not read.
        case unsupportedVersion(found: UInt32, reads: UInt32)
        /// The file's size is not the one its header describes: truncated or padded.
        case sizeMismatch(expected: Int, actual: Int)
        /// A field holds an impossible value, or the contents do not match their checksum.
        case damaged(String)
    }

    public var path: String
    public var format: Format
    public var problem: Problem

    public init(_ path: String, _ format: Format, _ problem: Problem) {
        self.path = path
        self.format = format
        self.problem = problem
    }

    /// The file was read but cannot be used (not this format, another version, truncated,
    /// damaged): a new file is the remedy, not a path or a permission.
    public var fileIsUnusable: Bool {
        switch problem {
        case .cannotRead, .cannotWrite: return false
        case .notThisFormat, .unsupportedVersion, .sizeMismatch, .damaged: return true
        }
    }

    public var errorDescription: String? {
        let name = format.name
        switch problem {
        case .cannotRead(let reason):
            return "cannot read \(path): \(reason). Check the path and its permissions."
        case .cannotWrite(let reason):
            return "cannot write \(path): \(reason). Check that its folder exists, is writable and the disk is not full."
        case .notThisFormat:
            return "\(path) is not a \(name). \(format.remedy)"
        case .unsupportedVersion(let found, let reads):
            return "\(path) is a \(name) of version \(found); this build reads version \(reads). \(format.remedy)"
        case .sizeMismatch(let expected, let actual):
            return "\(path) holds \(actual) bytes but its header describes \(expected): the \(name) is truncated or damaged. \(format.remedy)"
        case .damaged(let what):
            return "the \(name) \(path) is damaged: \(what). \(format.remedy)"
        }
    }
}
