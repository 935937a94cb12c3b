import Foundation

/// `DistillGenerationJob` split across machines: each shard completes every n-th distinct
/// prompt (`ShardSpec`) into a dataset directory of its own, with a `shard.json` that
/// `ShardMerge` checks and uses to put the samples back in the unsharded run's order.
extension DistillGenerationJob {
    /// The distinct requests of `list` in order: each sample id once, at its first prompt (the
    /// generator skips later repeats the same way).
    static func distinct(_ list: [DistillPrompt], settings: GenerationSettings, teacher: String) -> [(id: String, prompt: DistillPrompt)] {
        var seen = Set<String>()
        var out: [(id: String, prompt: DistillPrompt)] = []
        for p in list {
            let id = DistillRecord.contentID(settings.request(for: p.messages), teacher: teacher)
            if seen.insert(id).inserted { out.append((id, p)) }
        }
        return out
    }

    /// The prompts shard `shard` completes and its manifest, for the loaded `teacher`.
    func shardPlan(_ list: [DistillPrompt], shard: ShardSpec, teacher: any Teacher) throws -> (prompts: [DistillPrompt], manifest: ShardManifest) {
        let all = Self.distinct(list, settings: settings, teacher: teacher.name)
        let mine = shard.select(all)
        let (tokenizer, vocabulary, scoreTopK) = teacherVocabulary(teacher)
        let fingerprint: String
        switch self.teacher {
        case let .local(model, _, _, _): fingerprint = try ShardFingerprints.modelFile(try store.resolve(model))
        case let .remote(_, model, _, _, _): fingerprint = ShardFingerprints.digest(["remote", model])
        }
        let fileSize = TeacherScoreWriter.defaultSequencesPerShard
        let settingsLines = ["generate", "teacher \(teacher.name)", "fingerprint \(fingerprint)", "tokenizer \(tokenizer)",
                             "chunk \(chunkSize)", "score-file \(fileSize)", "top-k \(scoreTopK.map(String.init) ?? "none")"]
        let job = ShardManifest.Job(
            kind: .generate, count: shard.count, teacher: teacher.name, teacherFingerprint: fingerprint,
            tokenizerFingerprint: ShardFingerprints.hex(tokenizer), vocabularySize: vocabulary, total: all.count,
            chunkSize: chunkSize, scoreFileSize: fileSize, scoreTopK: scoreTopK,
            plan: ShardFingerprints.digest(settingsLines + all.map(\.id)), baseScores: nil)
        return (mine.map(\.prompt), ShardManifest(job: job, shard: shard, items: mine.map(\.id)))
    }
}
