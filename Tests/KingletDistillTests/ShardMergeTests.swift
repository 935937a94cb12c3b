import Foundation
import Testing
@testable import KingletDistill

/// Generation and scoring split with `--shard i/n` and merged back: byte for byte the
/// unsharded run, on a tiny synthetic teacher whose shards batch their prompts differently.
@Suite struct ShardMergeTests {
    static let shards = try! (0 ..< 3).map { try ShardSpec(index: $0, count: 3) }

    @Test func threeGenerationShardsMergeIntoTheUnshardedRunByteForByte() async throws {
        let dir = try TeacherTestSupport.temporaryDirectory()
        let teacher = try ShardFixtures.teacher(in: dir)
        let prompts = try ShardFixtures.prompts(in: dir)
        let whole = dir.appendingPathComponent("whole")
        try await ShardFixtures.generation(teacher: teacher, prompts: prompts, into: whole).run()
        var parts: [URL] = []
        for s in Self.shards {
            let part = dir.appendingPathComponent("shard-\(s.index)")
            // Shard 1 on one thread, the others (and the unsharded run) on two.
            let summary = try await ShardFixtures.generation(teacher: teacher, prompts: prompts, into: part, shard: s,
                                                             threads: s.index == 1 ? 1 : 2).run()
            #expect(summary.generated == s.share(of: 40))
            parts.append(part)
        }
        let merged = dir.appendingPathComponent("merged")
        let summary = try ShardMerge(shards: parts.reversed(), output: merged).run()
        #expect(summary.items == 40 && summary.scoreFiles == 2, "40 distinct prompts; 2 teacher calls of 32 → 2 score files")

        let want = try ShardFixtures.files(whole), got = try ShardFixtures.files(merged)
        #expect(want.keys.sorted() == got.keys.sorted())
        #expect(want.keys.contains("samples.jsonl") && want.keys.contains("scores/scores-00000.kscr"))
        for (path, bytes) in want { #expect(got[path] == bytes, "\(path) differs") }
        // The shards really did their own parts: disjoint ids that cover the whole run.
        let ids = try parts.map { try Set(DistillDataset(directory: $0).records().map(\.id)) }
        #expect(ids[0].isDisjoint(with: ids[1]) && ids[1].isDisjoint(with: ids[2]) && ids[0].isDisjoint(with: ids[2]))
        #expect(ids[0].union(ids[1]).union(ids[2]) == Set(try DistillDataset(directory: whole).records().map(\.id)))
    }

    @Test func threeScoringShardsMergeIntoTheUnshardedScoresByteForByte() async throws {
        let dir = try TeacherTestSupport.temporaryDirectory()
        let teacher = try ShardFixtures.teacher(in: dir)
        let prompts = try ShardFixtures.prompts(in: dir)
        let data = dir.appendingPathComponent("data")
        try await ShardFixtures.generation(teacher: teacher, prompts: prompts, into: data, scoreTopK: 0).run()
        let copy = dir.appendingPathComponent("copy")
        try ShardFixtures.copy(data, to: copy)

        var whole = DistillScoringJob(teacher: teacher.path, dataDirectory: data)
        whole.topK = 5
        whole.shardSize = 7
        whole.threads = 2
        try whole.run()
        var parts: [URL] = []
        for s in Self.shards {
            var job = whole
            job.dataDirectory = copy
            job.shard = s
            job.batchTokens = 37  // other batches than the unsharded run's
            try job.run()
            parts.append(job.scoresDirectory)
        }
        let summary = try ShardMerge(shards: parts, output: copy.appendingPathComponent("scores")).run()
        #expect(summary.items == 40 && summary.scoreFiles == 6)
        let want = try ShardFixtures.files(data.appendingPathComponent("scores"))
        let got = try ShardFixtures.files(copy.appendingPathComponent("scores"))
        #expect(want.keys.sorted() == got.keys.sorted())
        for (path, bytes) in want { #expect(got[path] == bytes, "\(path) differs") }
    }
}
