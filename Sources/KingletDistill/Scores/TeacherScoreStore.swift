import Foundation

/// Every score shard of a directory, memory-mapped and indexed by sample id and content hash.
///
/// Lookups go by (id, content hash), so a reordered or filtered dataset still finds its scores.
/// When the id is stored but only for other content (the sample changed after scoring) the
/// lookup throws `ScoreError.contentChanged` rather than missing silently: training on a sample
/// whose teacher scores are stale, or absent without notice, would quietly weaken distillation.
/// An id that is not stored at all is a miss (nil).
public final class TeacherScoreStore: @unchecked Sendable {
    public let directory: URL
    /// Entries per position.
    public let k: Int
    /// The teacher's vocabulary size.
    public let vocabularySize: Int
    /// The tokenizer the scores were made with (`VocabularyFingerprint`).
    public let tokenizerFingerprint: UInt64
    /// The shard files, in shard-number order.
    public var shardPaths: [String] { shards.map(\.path) }

    private let shards: [ScoreShard]
    private var index: [String: [(hash: UInt64, shard: Int, entry: Int)]] = [:]
    private var checked: Set<Int64> = []   // shard << 32 | entry, payloads already validated
    private let lock = NSLock()

    /// Maps every `scores-*.kscr` in `directory` and checks that they agree on k, vocabulary
    /// and tokenizer (and match `expectedTokenizerFingerprint` when given).
    public init(directory: URL, expectedTokenizerFingerprint: UInt64? = nil) throws(ScoreError) {
        self.directory = directory
        let paths = try Self.shardFiles(in: directory)
        guard !paths.isEmpty else { throw .noShards(directory: directory.path) }
        var shards: [ScoreShard] = []
        for p in paths { shards.append(try ScoreShard(path: p)) }
        let first = shards[0]
        k = first.k
        vocabularySize = first.vocabularySize
        tokenizerFingerprint = first.tokenizerFingerprint
        if let want = expectedTokenizerFingerprint, want != first.tokenizerFingerprint {
            throw .incompatibleShard(path: first.path, field: "tokenizer fingerprint",
                                     expected: Self.hex(want), found: Self.hex(first.tokenizerFingerprint))
        }
        for s in shards.dropFirst() {
            try Self.check(s, k: k, vocabularySize: vocabularySize, fingerprint: tokenizerFingerprint, against: first.path)
        }
        self.shards = shards
        for (si, s) in shards.enumerated() {
            for (ei, e) in s.entries.enumerated() {
                if let dup = index[e.id, default: []].first(where: { $0.hash == e.contentHash }) {
                    throw .duplicateRecord(id: e.id, first: shards[dup.shard].path, second: s.path)
                }
                index[e.id, default: []].append((e.contentHash, si, ei))
            }
        }
    }

    /// Number of scored sequences.
    public var recordCount: Int { shards.reduce(0) { $0 + $1.entries.count } }

    /// Every stored (id, content hash).
    var keys: [(id: String, contentHash: UInt64)] {
        index.flatMap { id, list in list.map { (id, $0.hash) } }
    }

    /// The content hashes stored for `id` (none when it was never scored).
    func contentHashes(id: String) -> [UInt64] { index[id]?.map(\.hash) ?? [] }

    /// Whether this exact content of sample `id` is scored.
    public func contains(id: String, contentHash: UInt64) -> Bool {
        index[id]?.contains { $0.hash == contentHash } ?? false
    }

    /// The scores of `sequence`: nil when its id was never scored; `contentChanged` when the id
    /// was scored for other content; `badPayload` when the stored record is out of range.
    public func scores(for sequence: ScoredSequence) throws(ScoreError) -> TeacherScores? {
        guard let s = try scores(id: sequence.id, contentHash: sequence.contentHash) else { return nil }
        let want = sequence.scoredPositions.count
        guard s.positionCount == want else {
            throw .badPayload(path: directory.path, id: sequence.id,
                              reason: "\(s.positionCount) positions stored, the sample has \(want)")
        }
        return s
    }

    /// The scores stored for (`id`, `contentHash`); see `scores(for:)`.
    public func scores(id: String, contentHash: UInt64) throws(ScoreError) -> TeacherScores? {
        guard let candidates = index[id] else { return nil }
        guard let hit = candidates.first(where: { $0.hash == contentHash }) else {
            throw .contentChanged(id: id, expectedHash: contentHash, storedHashes: candidates.map(\.hash))
        }
        let shard = shards[hit.shard]
        let view = shard.scores(hit.entry)
        let key = Int64(hit.shard) << 32 | Int64(hit.entry)
        lock.lock()
        let seen = checked.contains(key)
        lock.unlock()
        if !seen {
            // Checked once per record: a damaged shard must not send an out-of-range id to a loss.
            if let why = ScorePayloadCheck.problem(ids: view.allTokenIDs, logprobs: view.logprobs, tails: view.tailLogMass,
                                                  k: k, vocabularySize: vocabularySize) {
                throw .badPayload(path: shard.path, id: id, reason: why)
            }
            lock.lock()
            checked.insert(key)
            lock.unlock()
        }
        return view
    }

    /// `scores-NNNNN.kscr` files in `directory`, in shard-number order; [] when the directory does not exist.
    static func shardFiles(in directory: URL) throws(ScoreError) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) else { return [] }
        guard isDirectory.boolValue else { throw .io(path: directory.path, reason: "not a directory") }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory.path) } catch {
            throw .io(path: directory.path, reason: error.localizedDescription)
        }
        return names.compactMap { n in ScoreShardLayout.shardIndex(fileName: n).map { (n, $0) } }
            .sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .map { directory.appendingPathComponent($0.0).path }
    }

    static func check(_ s: ScoreShard, k: Int, vocabularySize: Int, fingerprint: UInt64, against: String) throws(ScoreError) {
        if s.k != k { throw .incompatibleShard(path: s.path, field: "k", expected: "\(k) (as \(against))", found: "\(s.k)") }
        if s.vocabularySize != vocabularySize {
            throw .incompatibleShard(path: s.path, field: "vocabulary size", expected: "\(vocabularySize) (as \(against))", found: "\(s.vocabularySize)")
        }
        if s.tokenizerFingerprint != fingerprint {
            throw .incompatibleShard(path: s.path, field: "tokenizer fingerprint", expected: "\(hex(fingerprint)) (as \(against))",
                                     found: hex(s.tokenizerFingerprint))
        }
    }

    static func hex(_ v: UInt64) -> String { String(format: "%016llx", v) }
}
