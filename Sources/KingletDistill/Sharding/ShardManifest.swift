import Foundation

/// `shard.json`: what one shard of a split job is, written by the sharded run into its directory
/// before any work, and read by `ShardMerge` to check that the shards belong together.
///
/// Everything every shard of one job shares is here (`job`), next to what is this shard's own
/// (`shard`, `items`). `job.plan` is a SHA-256 over the job's whole ordered work list and the
/// settings that shape the output bytes, so two shards agree on it only when they split the
/// same job.
public struct ShardManifest: Codable, Sendable, Equatable {
    /// The file's name inside a shard directory.
    public static let fileName = "shard.json"
    /// The format's version.
    public static let currentVersion = 1

    /// What was split.
    public enum Kind: String, Codable, Sendable {
        /// `DistillGenerationJob`: the directory is a dataset (samples.jsonl, scores/).
        case generate
        /// `DistillScoringJob`: the directory is a scores directory (scores-*.kscr).
        case score
    }

    /// What every shard of one job shares.
    public struct Job: Codable, Sendable, Equatable {
        public var kind: Kind
        /// Shards in the job.
        public var count: Int
        /// The teacher's name (as recorded in the samples).
        public var teacher: String
        /// SHA-256 (hex) of the teacher: its model file's size, first and last MiB for a local
        /// teacher; its model name for a remote one.
        public var teacherFingerprint: String
        /// `VocabularyFingerprint` of the teacher's tokenizer (hex).
        public var tokenizerFingerprint: String
        /// The teacher's vocabulary size.
        public var vocabularySize: Int
        /// Items in the whole job (distinct prompts, or sequences to score).
        public var total: Int
        /// Generation: requests per teacher call (its scores are written one shard file per
        /// call). Scoring: sequences per score file.
        public var chunkSize: Int
        /// Sequences per score file.
        public var scoreFileSize: Int
        /// Log-probabilities kept per position (nil: no scores are written).
        public var scoreTopK: Int?
        /// SHA-256 (hex) of the ordered work list and the settings above.
        public var plan: String
        /// Scoring: SHA-256 (hex) of the (id, content hash) keys already scored in the
        /// directory the merge writes into, when the shards read it; nil for generation.
        public var baseScores: String?
    }

    public var version = Self.currentVersion
    public var job: Job
    public var shard: ShardSpec
    /// This shard's items (sample ids), in the order of the whole list.
    public var items: [String]

    public init(job: Job, shard: ShardSpec, items: [String]) {
        self.job = job
        self.shard = shard
        self.items = items
    }

    /// The manifest of the shard directory `directory`.
    public static func read(from directory: URL) throws(ShardError) -> ShardManifest {
        let url = directory.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw .notAShard(path: directory.path, reason: "it has no \(fileName)")
        }
        let manifest: ShardManifest
        do { manifest = try JSONDecoder().decode(ShardManifest.self, from: Data(contentsOf: url)) } catch {
            throw .notAShard(path: directory.path, reason: "\(fileName) cannot be read (\(error.localizedDescription))")
        }
        guard manifest.version == currentVersion else {
            throw .notAShard(path: directory.path, reason: "\(fileName) has version \(manifest.version); this build reads \(currentVersion)")
        }
        return manifest
    }

    /// Writes the manifest into `directory` (created), or checks that the one there is this
    /// shard's: a rerun resumes its own shard and is refused another's directory.
    public func claim(_ directory: URL) throws(ShardError) {
        let url = directory.appendingPathComponent(Self.fileName)
        if FileManager.default.fileExists(atPath: url.path) {
            let old = try Self.read(from: directory)
            if let (field, expected, found) = old.difference(from: self) {
                throw .otherJob(path: directory.path, field: field, expected: expected, found: found)
            }
            return
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try encoder.encode(self).write(to: url, options: .atomic)
        } catch {
            throw .io(path: url.path, reason: error.localizedDescription)
        }
    }

    /// The first field where `other` differs from this manifest's job or shard: (name, this
    /// one's value, other's value); nil when they are the same job (and, with `sameShard`,
    /// the same shard).
    func difference(from other: ShardManifest, sameShard: Bool = true) -> (String, String, String)? {
        let a = job, b = other.job
        let fields: [(String, String, String)] = [
            ("kind", a.kind.rawValue, b.kind.rawValue),
            ("shard count", "\(a.count)", "\(b.count)"),
            ("teacher", a.teacher, b.teacher),
            ("teacher fingerprint", a.teacherFingerprint, b.teacherFingerprint),
            ("tokenizer fingerprint", a.tokenizerFingerprint, b.tokenizerFingerprint),
            ("vocabulary size", "\(a.vocabularySize)", "\(b.vocabularySize)"),
            ("item count", "\(a.total)", "\(b.total)"),
            ("chunk size", "\(a.chunkSize)", "\(b.chunkSize)"),
            ("score file size", "\(a.scoreFileSize)", "\(b.scoreFileSize)"),
            ("top-k", a.scoreTopK.map(String.init) ?? "none", b.scoreTopK.map(String.init) ?? "none"),
            ("work list (prompts, sampling settings or samples)", a.plan, b.plan),
            ("scores already in the target", a.baseScores ?? "none", b.baseScores ?? "none"),
        ] + (sameShard ? [("shard", "\(shard)", "\(other.shard)")] : [])
        return fields.first { $0.1 != $0.2 }
    }
}
