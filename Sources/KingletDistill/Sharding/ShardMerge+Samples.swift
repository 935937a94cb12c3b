import Foundation
import KingletText

/// Merging `distill generate` shards: samples.jsonl in the order of the unsharded run, and the
/// scores re-cut into the files that run writes (one per teacher call of `chunkSize` requests,
/// split at `scoreFileSize`).
extension ShardMerge {
    func mergeSamples(_ shards: [Shard]) throws -> Summary {
        try requireEmptyOutput()
        let job = shards[0].manifest.job
        // Each shard's lines by id: the bytes the shard wrote, copied unchanged.
        var lines: [[String: (line: ArraySlice<UInt8>, sequence: ScoredSequence)]] = []
        for s in shards {
            lines.append(try Self.samples(of: s))
        }
        let order = Self.interleave(shards.enumerated().map { i, s in s.manifest.items.map { (shard: i, id: $0) } })
        // Opened (and checked) before anything is written.
        let stores = job.scoreTopK == nil ? []
            : try shards.map { try Self.scoreStore(in: $0.directory.appendingPathComponent("scores"), job: job) }

        let samples = DistillDataset(directory: output).samplesURL
        var bytes: [UInt8] = []
        for item in order {
            bytes += lines[item.shard][item.id]!.line
            bytes.append(UInt8(ascii: "\n"))
        }
        do {
            try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
            try Data(bytes).write(to: samples, options: .atomic)
        } catch {
            throw ShardError.io(path: samples.path, reason: error.localizedDescription)
        }

        var files = 0
        if let k = job.scoreTopK {
            let writer = try TeacherScoreWriter(
                directory: output.appendingPathComponent("scores"), k: k, vocabularySize: job.vocabularySize,
                tokenizerFingerprint: UInt64(job.tokenizerFingerprint, radix: 16) ?? 0, sequencesPerShard: job.scoreFileSize)
            for start in stride(from: 0, to: order.count, by: job.chunkSize) {
                for item in order[start ..< min(start + job.chunkSize, order.count)] {
                    let sequence = lines[item.shard][item.id]!.sequence
                    if let scores = try stores[item.shard]?.scores(id: item.id, contentHash: sequence.contentHash) {
                        try writer.append(scores.record)
                    }
                }
                try writer.finish()
            }
            try writer.close()
            files = writer.writtenShards.count
        }
        return Summary(kind: .generate, shards: shards.count, items: order.count, scoreFiles: files)
    }

    /// A generation shard's samples by id, checked against its manifest: every item there (the
    /// shard finished), nothing else.
    static func samples(of shard: Shard) throws -> [String: (line: ArraySlice<UInt8>, sequence: ScoredSequence)] {
        let dataset = DistillDataset(directory: shard.directory)
        let data: [UInt8]
        do { data = Array(try Data(contentsOf: dataset.samplesURL)) } catch {
            if !FileManager.default.fileExists(atPath: dataset.samplesURL.path) {
                throw ShardError.incomplete(path: shard.directory.path, shard: "\(shard.manifest.shard)", done: 0,
                                            of: shard.manifest.items.count)
            }
            throw ShardError.io(path: dataset.samplesURL.path, reason: error.localizedDescription)
        }
        let mine = Set(shard.manifest.items)
        let decoder = JSONDecoder()
        var out: [String: (line: ArraySlice<UInt8>, sequence: ScoredSequence)] = [:]
        try DistillDataset.forEachLine(data) { line, number in
            let record: DistillRecord
            do { record = try decoder.decode(DistillRecord.self, from: Data(line)) } catch {
                throw DatasetError.badRecord(path: dataset.samplesURL.path, line: number, reason: DecodingError.describe(error))
            }
            guard mine.contains(record.id) else { throw ShardError.foreignItem(path: shard.directory.path, id: record.id) }
            out[record.id] = (line, record.scoredSequence)
        }
        guard out.count == mine.count else {
            throw ShardError.incomplete(path: shard.directory.path, shard: "\(shard.manifest.shard)", done: out.count, of: mine.count)
        }
        return out
    }

    /// The score files in `directory` (nil when there are none), checked against the job's.
    static func scoreStore(in directory: URL, job: ShardManifest.Job?) throws -> TeacherScoreStore? {
        guard !(try TeacherScoreStore.shardFiles(in: directory)).isEmpty else { return nil }
        let store = try TeacherScoreStore(directory: directory,
                                          expectedTokenizerFingerprint: job.flatMap { UInt64($0.tokenizerFingerprint, radix: 16) })
        if let k = job?.scoreTopK, store.k != k {
            throw ShardError.mismatch(path: directory.path, field: "top-k of the score files", expected: "\(k)", found: "\(store.k)")
        }
        return store
    }
}
