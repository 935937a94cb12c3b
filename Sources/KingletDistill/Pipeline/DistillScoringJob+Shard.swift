import Foundation
import KingletRuntime

/// `DistillScoringJob` split across machines: each shard scores every n-th sequence that the
/// base scores directory (DATA/scores) lacks, into a directory of its own with a `shard.json`;
/// `ShardMerge` then appends them to the base directory as the unsharded run would have.
extension DistillScoringJob {
    /// The sequences shard `shard` scores and its manifest.
    func shardPlan(_ sequences: [ScoredSequence], shard: ShardSpec, engine: Engine,
                   teacherFile: URL) throws -> (sequences: [ScoredSequence], manifest: ShardManifest) {
        let base = try ShardMerge.scoreStore(in: baseDirectory, job: nil)
        let todo = sequences.filter { !(base?.contains(id: $0.id, contentHash: $0.contentHash) ?? false) }
        let mine = shard.select(todo)
        let fingerprint = try ShardFingerprints.modelFile(teacherFile)
        let tokenizer = VocabularyFingerprint.of(engine.tokenizer)
        let name = ModelStore.modelName(teacher)
        let settings = ["score", "teacher \(name)", "fingerprint \(fingerprint)", "tokenizer \(tokenizer)", "top-k \(topK)",
                        "score-file \(shardSize)", "kv-cache \(cachePrecision)"]
        let job = ShardManifest.Job(
            kind: .score, count: shard.count, teacher: name, teacherFingerprint: fingerprint,
            tokenizerFingerprint: ShardFingerprints.hex(tokenizer), vocabularySize: engine.config.vocabularySize, total: todo.count,
            chunkSize: shardSize, scoreFileSize: shardSize, scoreTopK: topK,
            plan: ShardFingerprints.digest(settings + todo.map { "\($0.id) \(ShardFingerprints.hex($0.contentHash))" }),
            baseScores: ShardFingerprints.scoredKeys(base?.keys ?? []))
        return (mine, ShardManifest(job: job, shard: shard, items: mine.map(\.id)))
    }
}
