import ArgumentParser
import Foundation
import Kinglet
import KingletDistill

/// `kinglet distill score --teacher M --data DIR`: the teacher's top-k log-probabilities for
/// every completion position of the dataset, written as resumable shards (DIR/scores by default).
/// Registered under `distill` by the parent command.
struct DistillScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score a dataset's completions with a local teacher (top-k log-probabilities per position).",
        discussion: """
            Shards of 256 sequences are written as they complete; running the command again skips what is scored. \
            --shard I/N splits the work across machines (see docs/distill-at-scale.md).
            """)

    @Option(help: "The teacher: a known model name or a path to a .gguf file.") var teacher: String
    @Option(help: "The dataset directory (holds samples.jsonl).") var data: String
    @Option(name: .customLong("top-k"), help: "Log-probabilities kept per position.") var topK: Int = 32
    @Option(name: .customShort("t"), help: "Threads (default: physical cores).") var threads: Int?
    @Option(help: "Where the shards go (default: DATA/scores; with --shard: DATA/scores-shard-I-of-N).") var out: String?
    @Option(help: ArgumentHelp("""
        Score only shard I of N (numbered from 0) of the sequences DATA/scores lacks, into its own directory \
        with a shard.json; `kinglet distill merge DATA/scores SHARD_DIR...` adds them to DATA/scores.
        """, valueName: "I/N"), transform: ShardSpec.flag)
    var shard: ShardSpec?
    @Option(name: .customLong("shard-size"), help: "Sequences per shard.") var shardSize: Int = 256
    @Option(name: .customLong("batch-tokens"), help: "Tokens per forward pass; memory grows by ~8 bytes × vocabulary per token.")
    var batchTokens: Int = 1024
    @Option(name: .customLong("kv-cache"), help: "KV cache element type: f16 (default, fast), f32 (no cache rounding, slower), or q8_0 / q4_0 (ggml blocks: less memory, less precise scores).")
    var kvCache: KVCache.Precision = .f16

    func validate() throws {
        if topK < 1 || topK > 65536 { throw ValidationError("--top-k must be between 1 and 65536") }
        try validateThreads(threads, flag: "-t")
        if shardSize < 1 { throw ValidationError("--shard-size must be ≥ 1") }
        if batchTokens < 1 { throw ValidationError("--batch-tokens must be ≥ 1") }
        if shard != nil, let out,
           URL(fileURLWithPath: out).standardizedFileURL.path == URL(fileURLWithPath: data).appendingPathComponent("scores").standardizedFileURL.path {
            throw ValidationError("with --shard, --out must be another directory than DATA/scores (`kinglet distill merge` adds the shards to it)")
        }
    }

    func run() throws {
        var job = DistillScoringJob(teacher: teacher, dataDirectory: URL(fileURLWithPath: data))
        job.outputDirectory = out.map { URL(fileURLWithPath: $0) }
        job.topK = topK
        job.threads = threads
        job.shardSize = shardSize
        job.batchTokens = batchTokens
        job.cachePrecision = kvCache
        job.shard = shard
        try job.run(events: DistillEventPrinter().handle)
    }
}
