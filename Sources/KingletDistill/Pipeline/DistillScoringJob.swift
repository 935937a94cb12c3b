import Foundation
import KingletArchitectures
import KingletRuntime

/// Stage 2 as one call: the teacher's top-k log-probabilities for every completion position of
/// a dataset that has none yet, written as resumable shards (a rerun skips what is scored).
public struct DistillScoringJob: Sendable {
    /// The teacher: a known model name or a .gguf path.
    public var teacher: String
    /// The dataset directory (holds samples.jsonl).
    public var dataDirectory: URL
    /// Where the shards go (nil: `DATA/scores`).
    public var outputDirectory: URL?
    /// Log-probabilities kept per position.
    public var topK = 32
    /// Worker threads (nil: the physical cores).
    public var threads: Int?
    /// Sequences per shard.
    public var shardSize = 256
    /// Tokens per forward pass; memory grows by ~8 bytes × vocabulary per token.
    public var batchTokens = 1024
    public var cachePrecision: KVCache.Precision = .f16
    /// Sequences scored between progress reports (and between checks of the shard size).
    public var chunk = 32
    /// No new chunk starts after this time (nil: none); a rerun scores the rest.
    public var deadline: Date?
    public var store = ModelStore()

    public init(teacher: String, dataDirectory: URL) {
        self.teacher = teacher
        self.dataDirectory = dataDirectory
    }

    /// Score only this shard's part of the sequences not yet in `baseDirectory` (nil: all), for
    /// a job split across machines; the files and a `shard.json` go to `scoresDirectory`, and
    /// `ShardMerge` adds them to `baseDirectory`.
    public var shard: ShardSpec?

    /// The scores directory the dataset's training reads, `DATA/scores`.
    public var baseDirectory: URL { dataDirectory.appendingPathComponent("scores") }

    /// Where the shards go: `outputDirectory`, else `DATA/scores` (a shard: `DATA/scores-shard-I-of-N`).
    public var scoresDirectory: URL {
        if let outputDirectory { return outputDirectory }
        guard let shard else { return baseDirectory }
        return dataDirectory.appendingPathComponent("scores-shard-\(shard.index)-of-\(shard.count)")
    }

    /// Checks the settings a scorer and a shard writer need.
    public func validate() throws(DistillPipelineError) {
        if !(1 ... 1 << 16).contains(topK) { throw .invalidSetting(name: "topK", requirement: "between 1 and 65536 (it is \(topK))") }
        for (name, v) in [("shardSize", shardSize), ("batchTokens", batchTokens), ("chunk", chunk)] where v < 1 {
            throw .invalidSetting(name: name, requirement: "at least 1 (it is \(v))")
        }
        if shard != nil, scoresDirectory.standardizedFileURL.path == baseDirectory.standardizedFileURL.path {
            throw .invalidSetting(name: "outputDirectory", requirement: "another directory than DATA/scores for a shard (the merge adds to DATA/scores)")
        }
    }

    /// What a scoring run did.
    public struct Summary: Sendable {
        /// Shards written by this run.
        public var shards: Int
        /// Sequences scored in the directory, earlier runs included.
        public var scored: Int
        /// Positions scored by this run.
        public var positions: Int
    }

    /// Scores what is missing and returns what was done.
    @discardableResult
    public func run(events: DistillEventHandler = { _ in }) throws -> Summary {
        try validate()
        var sequences = try DistillDataset(directory: dataDirectory).scoredSequences()
        let path = try store.resolve(teacher) { events(.message($0)) }
        var options = EngineOptions(threads: threads)
        options.cachePrecision = cachePrecision
        let engine = try Engine(path: path.path, options: options)
        let outURL = scoresDirectory
        if let shard {
            let plan = try shardPlan(sequences, shard: shard, engine: engine, teacherFile: path)
            try plan.manifest.claim(outURL)
            sequences = plan.sequences
            events(.shardSelected(shard, items: sequences.count, of: plan.manifest.job.total))
        }
        let writer = try TeacherScoreWriter(
            directory: outURL, k: topK, vocabularySize: engine.config.vocabularySize,
            tokenizerFingerprint: VocabularyFingerprint.of(engine.tokenizer), sequencesPerShard: shardSize)
        let todo = sequences.filter { !writer.isScored($0) }
        events(.scoringStarted(sequences: sequences.count, alreadyScored: sequences.count - todo.count,
                               threads: engine.pool.threadCount, k: topK, directory: outURL))
        let scorer = TeacherScorer(engine: engine, k: topK, maxBatchTokens: batchTokens)
        let start = Date()
        var done = 0, positions = 0
        for first in stride(from: 0, to: todo.count, by: chunk) {
            if let deadline, Date() >= deadline { break }
            let part = Array(todo[first ..< min(first + chunk, todo.count)])
            for record in try scorer.score(part) {
                try writer.append(record)
                positions += record.positionCount
            }
            done += part.count
            events(.scoringProgress(done: done, of: todo.count, positions: positions, seconds: Date().timeIntervalSince(start)))
        }
        try writer.finish()
        events(.scored(shards: writer.writtenShards.count, sequences: writer.scoredCount, directory: outURL))
        return Summary(shards: writer.writtenShards.count, scored: writer.scoredCount, positions: positions)
    }
}
