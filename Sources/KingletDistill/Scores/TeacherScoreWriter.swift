import Foundation
import KingletGGUF
import KingletRuntime
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes teacher scores as a series of shards, `sequencesPerShard` records each, so a killed
/// scoring run loses at most one shard's work and resumes where it stopped.
///
/// Each shard is written to `scores-NNNNN.kscr.tmp` and renamed into place, so a shard either
/// exists whole or not at all. On open, the writer reads the keys (id, content hash) of the
/// shards already there — they must agree on k, vocabulary and tokenizer — and removes leftover
/// `.tmp` files; `isScored` then lets the caller skip what is done.
public final class TeacherScoreWriter {
    public let directory: URL
    public let k: Int
    public let vocabularySize: Int
    public let tokenizerFingerprint: UInt64
    public let sequencesPerShard: Int
    /// Shards this writer created, in order.
    public private(set) var writtenShards: [URL] = []

    private var scored: Set<Key> = []
    private var pending: [ScoreRecord] = []
    private var nextShard: Int

    private struct Key: Hashable { var id: String; var hash: UInt64 }
    /// Held while the writer lives: a second scoring run on the same directory is refused.
    private let directoryLock: FileLock

    /// Sequences per shard file unless told otherwise.
    public static let defaultSequencesPerShard = 256

    public init(directory: URL, k: Int, vocabularySize: Int, tokenizerFingerprint: UInt64,
                sequencesPerShard: Int = defaultSequencesPerShard) throws(ScoreError) {
        precondition(k >= 1 && k <= 1 << 16 && vocabularySize >= 1 && vocabularySize <= Int(Int32.max) && sequencesPerShard >= 1,
                     "k, vocabulary size and shard size must be positive")
        self.directory = directory
        self.k = k
        self.vocabularySize = vocabularySize
        self.tokenizerFingerprint = tokenizerFingerprint
        self.sequencesPerShard = sequencesPerShard
        do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
            throw .io(path: directory.path, reason: error.localizedDescription)
        }
        let lockPath = directory.appendingPathComponent(".scores.lock").path
        do { directoryLock = try FileLock(path: lockPath, wait: false) } catch StoreError.busy {
            throw .io(path: directory.path, reason: "another scoring run is writing these shards. Wait for it to finish, or score into another directory")
        } catch {
            throw .io(path: lockPath, reason: (error as? LocalizedError)?.errorDescription ?? "\(error)")
        }
        if let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) {
            // A shard a crashed run was writing: DurableFile's temporary (".NAME.PID.RANDOM.partial"),
            // or an earlier version's ("NAME.tmp").
            let earlier = { (n: String) in n.hasSuffix(".\(ScoreShardLayout.fileExtension).tmp") && n.hasPrefix(ScoreShardLayout.namePrefix) }
            let current = { (n: String) in n.hasSuffix(".partial") && n.hasPrefix("." + ScoreShardLayout.namePrefix) }
            for n in names where earlier(n) || current(n) {
                try? FileManager.default.removeItem(at: directory.appendingPathComponent(n))
            }
        }
        var last = -1
        for path in try TeacherScoreStore.shardFiles(in: directory) {
            let shard = try ScoreShard(path: path)
            try TeacherScoreStore.check(shard, k: k, vocabularySize: vocabularySize, fingerprint: tokenizerFingerprint, against: "this run")
            for e in shard.entries { scored.insert(Key(id: e.id, hash: e.contentHash)) }
            last = max(last, ScoreShardLayout.shardIndex(fileName: URL(fileURLWithPath: path).lastPathComponent) ?? last)
        }
        nextShard = last + 1
    }

    /// Every (id, content hash) scored, in earlier shards or pending in this writer.
    var scoredKeys: [(id: String, contentHash: UInt64)] { scored.map { ($0.id, $0.hash) } }

    /// Sequences already scored, in earlier shards or pending in this writer.
    public var scoredCount: Int { scored.count }

    /// Whether this exact content of the sample is scored (a changed sample is scored again).
    public func isScored(_ sequence: ScoredSequence) -> Bool {
        scored.contains(Key(id: sequence.id, hash: sequence.contentHash))
    }

    /// Queues a record; every `sequencesPerShard` records become a shard on disk. A record whose
    /// (id, content hash) is already scored is ignored.
    public func append(_ record: ScoreRecord) throws(ScoreError) {
        try record.validate(k: k, vocabularySize: vocabularySize)
        guard scored.insert(Key(id: record.id, hash: record.contentHash)).inserted else { return }
        pending.append(record)
        if pending.count >= sequencesPerShard { try flush() }
    }

    /// Writes the queued records as a last, possibly short, shard.
    public func finish() throws(ScoreError) {
        if !pending.isEmpty { try flush() }
    }

    /// Writes what is pending and lets another writer open the directory (deinit does too).
    public func close() throws(ScoreError) {
        defer { directoryLock.unlock() }
        try finish()
    }

    private func flush() throws(ScoreError) {
        let bytes = ScoreShardEncoder(k: k, vocabularySize: vocabularySize, tokenizerFingerprint: tokenizerFingerprint).encode(pending)
        let final = directory.appendingPathComponent(ScoreShardLayout.shardName(nextShard))
        do { try DurableFile.write(bytes, to: final.path) } catch {
            throw .io(path: error.path, reason: error.reason)
        }
        writtenShards.append(final)
        pending.removeAll(keepingCapacity: true)
        nextShard += 1
    }
}
