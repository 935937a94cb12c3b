import ArgumentParser
import Foundation
import KingletDistill

/// `kinglet distill merge OUT SHARD_DIR...`: the shards of a split `distill generate` or
/// `distill score` joined into what the unsharded run writes.
struct DistillMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join the shard directories of a split `distill generate` or `distill score` run.",
        discussion: """
            Generation shards (--shard I/N of `distill generate`) merge into OUT, a new or empty dataset \
            directory: samples.jsonl and scores/ byte for byte as one unsharded run writes them. Scoring shards \
            (--shard I/N of `distill score`) merge into the scores directory they were scored against, usually \
            DATA/scores. The shards must be one job (same teacher, prompts and settings), all N present, none \
            twice, each finished. See docs/distill-at-scale.md.
            """)

    @Argument(help: "Where the merged data goes.") var out: String
    @Argument(help: "The shard directories (each holds shard.json), in any order.") var shards: [String] = []

    func validate() throws {
        if shards.isEmpty { throw ValidationError("give the shard directories after OUT") }
    }

    func run() throws {
        let merge = ShardMerge(shards: shards.map { URL(fileURLWithPath: $0) }, output: URL(fileURLWithPath: out))
        try merge.run(events: DistillEventPrinter().handle)
    }
}
