import Foundation

/// Merging `distill score` shards into the scores directory they were scored against: the new
/// sequences appended in dataset order, cut into files of `scoreFileSize` numbered after the
/// files already there, as the unsharded run writes them.
extension ShardMerge {
    func mergeScores(_ shards: [Shard]) throws -> Summary {
        let job = shards[0].manifest.job
        guard let k = job.scoreTopK else {
            throw ShardError.notAShard(path: shards[0].directory.path, reason: "its shard.json names no top-k for a scoring job")
        }
        var stores: [TeacherScoreStore?] = []
        for s in shards {
            let store = try Self.scoreStore(in: s.directory, job: job)
            let mine = Set(s.manifest.items)
            for key in store?.keys ?? [] where !mine.contains(key.id) {
                throw ShardError.foreignItem(path: s.directory.path, id: key.id)
            }
            let done = s.manifest.items.filter { !(store?.contentHashes(id: $0).isEmpty ?? true) }.count
            guard done == mine.count else {
                throw ShardError.incomplete(path: s.directory.path, shard: "\(s.manifest.shard)", done: done, of: mine.count)
            }
            stores.append(store)
        }
        let writer = try TeacherScoreWriter(
            directory: output, k: k, vocabularySize: job.vocabularySize,
            tokenizerFingerprint: UInt64(job.tokenizerFingerprint, radix: 16) ?? 0, sequencesPerShard: job.scoreFileSize)
        let base = ShardFingerprints.scoredKeys(writer.scoredKeys)
        guard base == job.baseScores else {
            throw ShardError.baseChanged(path: output.path, expected: "digest \(job.baseScores ?? "none")", found: "digest \(base)")
        }
        let order = Self.interleave(shards.enumerated().map { i, s in s.manifest.items.map { (shard: i, id: $0) } })
        for item in order {
            let store = stores[item.shard]!
            guard let hash = store.contentHashes(id: item.id).first,
                  let scores = try store.scores(id: item.id, contentHash: hash) else { continue }
            try writer.append(scores.record)
        }
        try writer.close()
        return Summary(kind: .score, shards: shards.count, items: order.count, scoreFiles: writer.writtenShards.count)
    }
}
