import Foundation
import Testing
@testable import KingletDistill

/// Training rows from samples and their stored scores.
@Suite struct DistillBatchSourceTests {
    /// A row that lists no token (a remote teacher's unlisted end token) carries no teacher
    /// distribution: that position trains on cross-entropy alone and stays out of KL and agreement.
    @Test func anEmptyScoreRowIsNoTeacherDistribution() throws {
        let s = ScoreFixtures.sequence(1, prompt: 3, completion: 4)
        var record = ScoreFixtures.record(for: s, k: 3)
        let last = record.positionCount - 1
        for j in 0 ..< 3 {
            record.ids[last * 3 + j] = ScoreRecord.paddingID
            record.logprobs[last * 3 + j] = -.infinity
        }
        record.tailLogMass[last] = 0
        let dir = ScoreFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let writer = try TeacherScoreWriter(directory: dir, k: 3, vocabularySize: 100, tokenizerFingerprint: 9)
        try writer.append(record)
        try writer.finish()
        let store = try TeacherScoreStore(directory: dir, expectedTokenizerFingerprint: 9)

        let T = 10
        let batch = try DistillBatchSource.batch([s], store: store, length: T)
        let teacher = try #require(batch.teacher)
        let scored = Array(s.scoredPositions)
        #expect(scored.count == 4)
        for t in 0 ..< T {
            #expect(teacher.present[t] == (scored.contains(t) && t != scored.last!), "position \(t)")
        }
        #expect(batch.weights[scored.last!] > 0, "the end position still counts for cross-entropy")
    }
}
