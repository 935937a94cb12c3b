import Foundation
import Testing
@testable import KingletDistill

/// What `ShardMerge` refuses: a missing shard, one given twice, a shard of another teacher,
/// overlapping shards, an unfinished shard, a used output directory, and a rerun into another
/// shard's directory.
@Suite struct ShardRefusalTests {
    /// Three finished generation shards of the tiny teacher (without scores, to be quick).
    static func shards() async throws -> (dir: URL, teacher: URL, prompts: URL, parts: [URL]) {
        let dir = try TeacherTestSupport.temporaryDirectory()
        let teacher = try ShardFixtures.teacher(in: dir)
        let prompts = try ShardFixtures.prompts(in: dir, count: 10)
        var parts: [URL] = []
        for i in 0 ..< 3 {
            let part = dir.appendingPathComponent("shard-\(i)")
            try await ShardFixtures.generation(teacher: teacher, prompts: prompts, into: part, shard: try ShardSpec(index: i, count: 3),
                                               scoreTopK: 0).run()
            parts.append(part)
        }
        return (dir, teacher, prompts, parts)
    }

    static func merge(_ parts: [URL], into dir: URL) throws(ShardError) {
        do { try ShardMerge(shards: parts, output: dir.appendingPathComponent("out-\(UUID().uuidString)")).run() } catch let e as ShardError {
            throw e
        } catch {
            Issue.record("not a ShardError: \(error)")
        }
    }

    @Test func refusesAMissingShard() async throws {
        let f = try await Self.shards()
        #expect(throws: ShardError.missingShards([1], count: 3)) { try Self.merge([f.parts[0], f.parts[2]], into: f.dir) }
    }

    @Test func refusesAShardGivenTwice() async throws {
        let f = try await Self.shards()
        let twin = f.dir.appendingPathComponent("twin")
        try ShardFixtures.copy(f.parts[1], to: twin)
        #expect(throws: ShardError.duplicateShard(index: 1, first: f.parts[1].path, second: twin.path)) {
            try Self.merge(f.parts + [twin], into: f.dir)
        }
    }

    @Test func refusesAShardOfAnotherTeacherWithTheSameName() async throws {
        let f = try await Self.shards()
        // The same file name in another directory, other weights: only the fingerprint tells them apart.
        let other = try ShardFixtures.teacher(in: f.dir.appendingPathComponent("other"), outputScale: 0.5)
        let odd = f.dir.appendingPathComponent("odd")
        try await ShardFixtures.generation(teacher: other, prompts: f.prompts, into: odd, shard: try ShardSpec(index: 2, count: 3),
                                           scoreTopK: 0).run()
        do {
            try Self.merge([f.parts[0], f.parts[1], odd], into: f.dir)
            Issue.record("merged shards of two teachers")
        } catch {
            guard case let .mismatch(path, field, _, _) = error else { Issue.record("\(error)"); return }
            #expect(path == odd.path && field == "teacher fingerprint")
        }
    }

    @Test func refusesOverlappingShards() async throws {
        let f = try await Self.shards()
        var m = try ShardManifest.read(from: f.parts[1])
        let stolen = try ShardManifest.read(from: f.parts[0]).items[0]
        m.items[0] = stolen
        try JSONEncoder().encode(m).write(to: f.parts[1].appendingPathComponent(ShardManifest.fileName))
        #expect(throws: ShardError.overlap(id: stolen, first: f.parts[0].path, second: f.parts[1].path)) {
            try Self.merge(f.parts, into: f.dir)
        }
    }

    @Test func refusesAnUnfinishedShard() async throws {
        let f = try await Self.shards()
        let samples = f.parts[2].appendingPathComponent("samples.jsonl")
        let lines = try String(contentsOf: samples, encoding: .utf8).split(separator: "\n")
        try (lines.dropLast().joined(separator: "\n") + "\n").write(to: samples, atomically: true, encoding: .utf8)
        #expect(throws: ShardError.incomplete(path: f.parts[2].path, shard: "2/3", done: lines.count - 1, of: lines.count)) {
            try Self.merge(f.parts, into: f.dir)
        }
    }

    @Test func refusesAnOutputThatHoldsData() async throws {
        let f = try await Self.shards()
        #expect(throws: ShardError.outputNotEmpty(path: f.parts[0].path)) { try ShardMerge(shards: f.parts, output: f.parts[0]).run() }
    }

    @Test func aShardWillNotRunInAnotherShardsDirectory() async throws {
        let f = try await Self.shards()
        await #expect(throws: ShardError.self) {
            try await ShardFixtures.generation(teacher: f.teacher, prompts: f.prompts, into: f.parts[0], shard: try ShardSpec(index: 1, count: 3),
                                               scoreTopK: 0).run()
        }
        // Its own shard resumes: nothing left to do.
        let again = try await ShardFixtures.generation(teacher: f.teacher, prompts: f.prompts, into: f.parts[0],
                                                       shard: try ShardSpec(index: 0, count: 3), scoreTopK: 0).run()
        #expect(again.generated == 0 && again.cached == 4)
    }

    @Test func scoringMergeRefusesATargetThatChangedSinceTheShardsRan() async throws {
        let f = try await Self.shards()
        let data = f.dir.appendingPathComponent("data")
        try await ShardFixtures.generation(teacher: f.teacher, prompts: f.prompts, into: data, scoreTopK: 0).run()
        var parts: [URL] = []
        for i in 0 ..< 2 {
            var job = DistillScoringJob(teacher: f.teacher.path, dataDirectory: data)
            job.topK = 3
            job.threads = 1
            job.shard = try ShardSpec(index: i, count: 2)
            try job.run()
            parts.append(job.scoresDirectory)
        }
        // Someone scores one sample into DATA/scores after the shards read it.
        let manifest = try ShardManifest.read(from: parts[0])
        let sequence = try DistillDataset(directory: data).scoredSequences()[0]
        let writer = try TeacherScoreWriter(directory: data.appendingPathComponent("scores"), k: 3, vocabularySize: 11,
                                            tokenizerFingerprint: UInt64(manifest.job.tokenizerFingerprint, radix: 16)!)
        try writer.append(ScoreFixtures.record(for: sequence, k: 3, vocabularySize: 11))
        try writer.close()
        do {
            try ShardMerge(shards: parts, output: data.appendingPathComponent("scores")).run()
            Issue.record("merged into a changed scores directory")
        } catch let e as ShardError {
            guard case .baseChanged = e else { Issue.record("\(e)"); return }
        }
        #expect(throws: DistillPipelineError.self) {
            var job = DistillScoringJob(teacher: f.teacher.path, dataDirectory: data)
            job.shard = try ShardSpec(index: 0, count: 2)
            job.outputDirectory = data.appendingPathComponent("scores")
            try job.run()
        }
    }

    @Test func aManifestWithAShardOutOfRangeIsNotAShard() throws {
        let json = #"{"index": 5, "count": 3}"#
        #expect(throws: ShardError.invalidSpec("5/3", reason: "the index must be between 0 and 2 (shards are numbered from 0)")) {
            try JSONDecoder().decode(ShardSpec.self, from: Data(json.utf8))
        }
    }
}
