import Foundation

/// Merges the shards of one split job back into what the unsharded run writes, byte for byte:
/// a dataset directory (samples.jsonl, scores/) for `distill generate` shards, a scores
/// directory for `distill score` shards.
///
/// Before writing anything it checks that the shards belong together (one job: same teacher,
/// tokenizer, work list and settings in every `shard.json`), that every shard 0 ..< n is there
/// once, that no item is in two shards, and that each shard finished its part.
public struct ShardMerge: Sendable {
    /// The shard directories, in any order.
    public var shardDirectories: [URL]
    /// Where the merged data goes: a new or empty directory for generation shards; for scoring
    /// shards the scores directory the shards were scored against (usually DATA/scores).
    public var output: URL

    public init(shards: [URL], output: URL) {
        self.shardDirectories = shards
        self.output = output
    }

    /// What a merge wrote.
    public struct Summary: Sendable, Equatable {
        public var kind: ShardManifest.Kind
        public var shards: Int
        /// Samples (generation) or scored sequences (scoring) merged.
        public var items: Int
        /// Score files written.
        public var scoreFiles: Int
    }

    /// Checks the shards and writes the merged data.
    @discardableResult
    public func run(events: DistillEventHandler = { _ in }) throws -> Summary {
        let shards = try checkedShards()
        let summary: Summary
        switch shards[0].manifest.job.kind {
        case .generate: summary = try mergeSamples(shards)
        case .score: summary = try mergeScores(shards)
        }
        events(.merged(shards: summary.shards, items: summary.items, scoreFiles: summary.scoreFiles, directory: output))
        return summary
    }

    /// One shard: its directory and manifest.
    struct Shard {
        var directory: URL
        var manifest: ShardManifest
    }

    /// The shards in index order, after checking that they make one whole job.
    func checkedShards() throws(ShardError) -> [Shard] {
        guard let firstURL = shardDirectories.first else { throw .missingShards([0], count: 1) }
        var shards: [Shard] = []
        for url in shardDirectories { shards.append(Shard(directory: url, manifest: try ShardManifest.read(from: url))) }
        let first = shards[0].manifest
        for s in shards.dropFirst() {
            if let (field, expected, found) = first.difference(from: s.manifest, sameShard: false) {
                throw .mismatch(path: s.directory.path, field: field, expected: "\(expected) (as \(firstURL.path))", found: found)
            }
        }
        var byIndex: [Int: Shard] = [:]
        for s in shards {
            if let other = byIndex[s.manifest.shard.index] {
                throw .duplicateShard(index: s.manifest.shard.index, first: other.directory.path, second: s.directory.path)
            }
            byIndex[s.manifest.shard.index] = s
        }
        let n = first.job.count
        let missing = (0 ..< n).filter { byIndex[$0] == nil }
        guard missing.isEmpty else { throw .missingShards(missing, count: n) }
        let ordered = (0 ..< n).map { byIndex[$0]! }
        var owner: [String: String] = [:]
        for s in ordered {
            let want = s.manifest.shard.share(of: first.job.total)
            guard s.manifest.items.count == want else {
                throw .mismatch(path: s.directory.path, field: "items in shard \(s.manifest.shard)", expected: "\(want)",
                                found: "\(s.manifest.items.count)")
            }
            for id in s.manifest.items {
                if let other = owner.updateValue(s.directory.path, forKey: id) {
                    throw .overlap(id: id, first: other, second: s.directory.path)
                }
            }
        }
        return ordered
    }

    /// The position in the whole list of each item, in merged order: item j is item j / n of
    /// shard j mod n.
    static func interleave<T>(_ parts: [[T]]) -> [T] {
        let total = parts.reduce(0) { $0 + $1.count }
        return (0 ..< total).map { parts[$0 % parts.count][$0 / parts.count] }
    }

    /// Refuses an output directory that already holds something.
    func requireEmptyOutput() throws(ShardError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: output.path, isDirectory: &isDirectory) else { return }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: output.path)) ?? []
        if !isDirectory.boolValue || !entries.isEmpty { throw .outputNotEmpty(path: output.path) }
    }
}
