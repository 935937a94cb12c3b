import Foundation
import Testing
@testable import KingletDistill

/// `distill export-data`: the tensors hold exactly the stored scores, in the documented layout.
@Suite struct TeacherDataExportTests {
    @Test func exportHoldsTheStoredScores() async throws {
        let dir = try TeacherTestSupport.temporaryDirectory()
        let teacher = try ShardFixtures.teacher(in: dir)
        let prompts = try ShardFixtures.prompts(in: dir, count: 12)
        let data = dir.appendingPathComponent("data")
        try await ShardFixtures.generation(teacher: teacher, prompts: prompts, into: data).run()
        let out = dir.appendingPathComponent("export")
        let summary = try TeacherDataExport(dataDirectory: data, output: out).run()
        let records = try DistillDataset(directory: data).records()
        #expect(summary.samples == 12 && summary.scored == 12 && summary.k == 4)

        let bytes = Array(try Data(contentsOf: out.appendingPathComponent("teacher.safetensors")))
        let (tensors, metadata) = try Safetensors.readHeader(bytes)
        #expect(metadata["k"] == "4" && metadata["format"] == "kinglet-teacher-topk")
        let n = Int(bytes[0 ..< 8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        func tensor<T>(_ name: String, _: T.Type) -> (shape: [Int], values: [T]) {
            let t = tensors.first { $0.name == name }!
            let slice = bytes[(8 + n + t.offsets.lowerBound) ..< (8 + n + t.offsets.upperBound)]
            return (t.shape, slice.withUnsafeBytes { Array($0.bindMemory(to: T.self)) })
        }
        let ids = tensor("input_ids", Int32.self), seqOffsets = tensor("sequence_offsets", Int64.self)
        let topkOffsets = tensor("topk_offsets", Int64.self), topkIDs = tensor("topk_ids", Int32.self)
        let logprobs = tensor("topk_logprobs", Float.self), tails = tensor("tail_logmass", Float.self)
        #expect(seqOffsets.shape == [13] && topkOffsets.shape == [13] && topkIDs.shape == [summary.rows, 4])
        #expect(logprobs.shape == [summary.rows, 4] && tails.shape == [summary.rows])
        let store = try TeacherScoreStore(directory: data.appendingPathComponent("scores"))
        for (i, r) in records.enumerated() {
            let s0 = Int(seqOffsets.values[i]), s1 = Int(seqOffsets.values[i + 1])
            #expect(ids.values[s0 ..< s1].map(Int.init) == r.promptTokens + r.completionTokens)
            let scores = try #require(try store.scores(for: r.scoredSequence))
            let r0 = Int(topkOffsets.values[i]), r1 = Int(topkOffsets.values[i + 1])
            #expect(r1 - r0 == scores.positionCount && r1 - r0 == r.completionTokens.count)
            #expect(Array(logprobs.values[r0 * 4 ..< r1 * 4]) == Array(scores.logprobs))
            #expect(Array(topkIDs.values[r0 * 4 ..< r1 * 4]) == scores.allTokenIDs.map { $0 == ScoreRecord.paddingID ? -1 : $0 })
            #expect(Array(tails.values[r0 ..< r1]) == Array(scores.tailLogMass))
        }
        let lines = try String(contentsOf: out.appendingPathComponent("samples.jsonl"), encoding: .utf8).split(separator: "\n")
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: Any]
        let messages = first["messages"] as! [[String: String]]
        #expect(lines.count == 12 && messages.last?["role"] == "assistant" && messages.last?["content"] == records[0].completion)
    }
}
