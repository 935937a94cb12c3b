import Foundation
import Testing
@testable import KingletDistill

@Suite struct ScoreShardTests {
    static let V = 100, K = 4

    func write(_ seqs: [ScoredSequence], to dir: URL, perShard: Int = 3, k: Int = K, V: Int = V,
               fingerprint: UInt64 = 42) throws -> TeacherScoreWriter {
        let w = try TeacherScoreWriter(directory: dir, k: k, vocabularySize: V, tokenizerFingerprint: fingerprint, sequencesPerShard: perShard)
        for s in seqs where !w.isScored(s) { try w.append(ScoreFixtures.record(for: s, k: k, vocabularySize: V)) }
        try w.close()
        return w
    }

    @Test func twoWritersOfOneDirectoryAreRefused() throws {
        let dir = ScoreFixtures.temporaryDirectory()
        let first = try TeacherScoreWriter(directory: dir, k: Self.K, vocabularySize: Self.V, tokenizerFingerprint: 42)
        do {
            _ = try TeacherScoreWriter(directory: dir, k: Self.K, vocabularySize: Self.V, tokenizerFingerprint: 42)
            Issue.record("a second writer opened a directory the first still writes")
        } catch {
            guard case .io(_, let reason) = error else { Issue.record("\(error)"); return }
            #expect(reason.contains("another scoring run"))
        }
        try first.close()
        let second = try TeacherScoreWriter(directory: dir, k: Self.K, vocabularySize: Self.V, tokenizerFingerprint: 42)
        try second.close()
    }

    @Test func roundTripKeepsEveryValue() throws {
        let dir = ScoreFixtures.temporaryDirectory()
        let seqs = (0 ..< 7).map { ScoreFixtures.sequence($0, completion: 2 + $0) } + [ScoreFixtures.sequence(99, completion: 0)]
        let w = try write(seqs, to: dir)
        #expect(w.writtenShards.map(\.lastPathComponent) == ["scores-00000.kscr", "scores-00001.kscr", "scores-00002.kscr"])
        let store = try TeacherScoreStore(directory: dir, expectedTokenizerFingerprint: 42)
        #expect(store.k == Self.K && store.vocabularySize == Self.V && store.recordCount == 8)
        for s in seqs {
            let got = try #require(try store.scores(for: s))
            #expect(got.record == ScoreFixtures.record(for: s, k: Self.K, vocabularySize: Self.V))
            #expect(got.positionCount == s.scoredPositions.count)
        }
    }

    @Test func wideVocabulariesStoreUInt32IdsAndPadding() throws {
        let dir = ScoreFixtures.temporaryDirectory()
        let V = 70_000
        let s = ScoredSequence(id: "wide", tokens: [1, 69_999, 65_535, 4], promptLength: 2)
        var r = ScoreFixtures.record(for: s, k: 3, vocabularySize: V)
        r.ids = [69_999, 65_535, ScoreRecord.paddingID, 0, 1, 2]
        r.logprobs[2] = -.infinity
        let w = try TeacherScoreWriter(directory: dir, k: 3, vocabularySize: V, tokenizerFingerprint: 1)
        try w.append(r)
        try w.finish()
        let store = try TeacherScoreStore(directory: dir)
        let got = try #require(try store.scores(for: s))
        #expect(got.record == r)
        #expect(got.tokenIDs(at: 0) == [69_999, 65_535, ScoreRecord.paddingID])
    }

    @Test func lookupFindsRecordsOfAReorderedDataset() throws {
        let dir = ScoreFixtures.temporaryDirectory()
        let seqs = (0 ..< 10).map { ScoreFixtures.sequence($0) }
        _ = try write(seqs, to: dir, perShard: 4)
        let store = try TeacherScoreStore(directory: dir)
        var rng = SystemRandomNumberGenerator()
        for s in seqs.shuffled(using: &rng) {
            let got = try #require(try store.scores(for: s))
            #expect(got.id == s.id && got.contentHash == s.contentHash)
            #expect(got.record == ScoreFixtures.record(for: s, k: Self.K, vocabularySize: Self.V))
        }
        #expect(try store.scores(for: ScoreFixtures.sequence(1234)) == nil, "an unscored id is a miss")
    }

    @Test func changedContentIsATypedError() throws {
        let dir = ScoreFixtures.temporaryDirectory()
        let s = ScoreFixtures.sequence(3)
        _ = try write([s], to: dir)
        let store = try TeacherScoreStore(directory: dir)
        var changed = s
        changed.tokens[4] += 1
        #expect(throws: ScoreError.contentChanged(id: s.id, expectedHash: changed.contentHash, storedHashes: [s.contentHash])) {
            try store.scores(for: changed)
        }
        var resplit = s
        resplit.promptLength += 1
        #expect(resplit.contentHash != s.contentHash, "moving the prompt boundary changes the content hash")
        #expect(throws: ScoreError.self) { try store.scores(for: resplit) }
    }

    @Test func resumeSkipsScoredIdsAndNumbersNewShardsOnward() throws {
        let dir = ScoreFixtures.temporaryDirectory()
        let seqs = (0 ..< 8).map { ScoreFixtures.sequence($0) }
        _ = try write(Array(seqs[0 ..< 5]), to: dir, perShard: 2)   // shards 0, 1, 2
        // A killed run leaves a partial temporary file behind: ignored and removed.
        try Data([1, 2, 3]).write(to: dir.appendingPathComponent("scores-00003.kscr.tmp"))  // an earlier version's
        try Data([4, 5]).write(to: dir.appendingPathComponent(".scores-00003.kscr.4242.17.partial"))  // DurableFile's
        let w = try TeacherScoreWriter(directory: dir, k: Self.K, vocabularySize: Self.V, tokenizerFingerprint: 42, sequencesPerShard: 2)
        #expect(w.scoredCount == 5)
        let todo = seqs.filter { !w.isScored($0) }
        #expect(todo.map(\.id) == seqs[5...].map(\.id))
        for s in todo { try w.append(ScoreFixtures.record(for: s, k: Self.K, vocabularySize: Self.V)) }
        try w.append(ScoreFixtures.record(for: seqs[0], k: Self.K, vocabularySize: Self.V))  // already scored: ignored
        try w.finish()
        #expect(w.writtenShards.map(\.lastPathComponent) == ["scores-00003.kscr", "scores-00004.kscr"])
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("scores-00003.kscr.tmp").path))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent(".scores-00003.kscr.4242.17.partial").path))
        let store = try TeacherScoreStore(directory: dir)
        #expect(store.recordCount == 8)
        for s in seqs { #expect(try store.scores(for: s) != nil) }
    }

    @Test func aChangedSampleIsScoredAgainBesideTheOldRecord() throws {
        let dir = ScoreFixtures.temporaryDirectory()
        let s = ScoreFixtures.sequence(5)
        _ = try write([s], to: dir)
        var changed = s
        changed.tokens[5] = 77
        let w = try TeacherScoreWriter(directory: dir, k: Self.K, vocabularySize: Self.V, tokenizerFingerprint: 42)
        #expect(!w.isScored(changed))
        try w.append(ScoreFixtures.record(for: changed, k: Self.K, vocabularySize: Self.V))
        try w.finish()
        let store = try TeacherScoreStore(directory: dir)
        #expect(try store.scores(for: changed)?.contentHash == changed.contentHash)
        #expect(try store.scores(for: s)?.contentHash == s.contentHash)
    }

    @Test func incompatibleShardsAreRefused() throws {
        let dir = ScoreFixtures.temporaryDirectory()
        _ = try write([ScoreFixtures.sequence(1)], to: dir, fingerprint: 42)
        #expect(throws: ScoreError.self) {
            _ = try TeacherScoreWriter(directory: dir, k: Self.K + 1, vocabularySize: Self.V, tokenizerFingerprint: 42)
        }
        #expect(throws: ScoreError.self) {
            _ = try TeacherScoreWriter(directory: dir, k: Self.K, vocabularySize: Self.V, tokenizerFingerprint: 43)
        }
        #expect(throws: ScoreError.self) { _ = try TeacherScoreStore(directory: dir, expectedTokenizerFingerprint: 7) }
        #expect(throws: ScoreError.noShards(directory: dir.appendingPathComponent("none").path)) {
            _ = try TeacherScoreStore(directory: dir.appendingPathComponent("none"))
        }
    }

    @Test func duplicateRecordsAcrossShardsAreNamed() throws {
        let dir = ScoreFixtures.temporaryDirectory()
        _ = try write([ScoreFixtures.sequence(1)], to: dir)
        try FileManager.default.copyItem(at: dir.appendingPathComponent("scores-00000.kscr"), to: dir.appendingPathComponent("scores-00001.kscr"))
        #expect(throws: ScoreError.duplicateRecord(id: ScoreFixtures.sequence(1).id, first: dir.appendingPathComponent("scores-00000.kscr").path,
                                                   second: dir.appendingPathComponent("scores-00001.kscr").path)) {
            _ = try TeacherScoreStore(directory: dir)
        }
    }

    @Test func damagedShardsAreTypedErrorsNotCrashes() throws {
        let dir = ScoreFixtures.temporaryDirectory()
        let s = ScoreFixtures.sequence(2)
        _ = try write([s], to: dir)
        let url = dir.appendingPathComponent("scores-00000.kscr")
        let good = try Data(contentsOf: url)
        func expectBad(_ bytes: Data, _ comment: Comment) throws {
            try bytes.write(to: url)
            #expect(throws: ScoreError.self, comment) { _ = try TeacherScoreStore(directory: dir).scores(for: s) }
        }
        try expectBad(good.prefix(good.count - 8), "truncated")
        try expectBad(good.prefix(40), "shorter than the header")
        var magic = good; magic[0] = UInt8(ascii: "X")
        try expectBad(magic, "bad magic")
        var version = good; version[4] = 9
        try expectBad(version, "unknown version")
        var count = good; count[20] = 200
        try expectBad(count, "record count beyond the file")
        var offset = good; offset[64 + 8] = 0xF0
        try expectBad(offset, "payload offset beyond the file")
        // An id ≥ V in the payload: found when the record is looked up.
        let payload = Int(good[40]) | Int(good[41]) << 8, P = s.scoredPositions.count
        var id = good
        id[payload + P * Self.K * 4 + P * 4] = 200
        try expectBad(id, "token id outside the vocabulary")
        var nan = good
        nan.replaceSubrange(payload ..< payload + 4, with: withUnsafeBytes(of: Float.nan.bitPattern.littleEndian) { Data($0) })
        try expectBad(nan, "NaN log-probability")
        try good.write(to: url)
        #expect(try TeacherScoreStore(directory: dir).scores(for: s) != nil)
    }

    @Test func invalidRecordsAreRefusedByTheWriter() throws {
        let dir = ScoreFixtures.temporaryDirectory()
        let s = ScoreFixtures.sequence(1)
        let w = try TeacherScoreWriter(directory: dir, k: Self.K, vocabularySize: Self.V, tokenizerFingerprint: 0)
        var r = ScoreFixtures.record(for: s, k: Self.K)
        r.ids[0] = 100
        #expect(throws: ScoreError.self) { try w.append(r) }
        r = ScoreFixtures.record(for: s, k: Self.K)
        r.logprobs.removeLast()
        #expect(throws: ScoreError.self) { try w.append(r) }
        r = ScoreFixtures.record(for: s, k: Self.K)
        r.tailLogMass[0] = .nan
        #expect(throws: ScoreError.self) { try w.append(r) }
    }

    @Test func contentHashIsFNV1aOverPromptLengthAndTokens() {
        // FNV-1a 64 of the bytes 01 00 00 00 | 02 00 00 00, computed by hand-rolled loop below.
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b: UInt8 in [1, 0, 0, 0, 2, 0, 0, 0] { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        #expect(ScoredSequence(id: "x", tokens: [2], promptLength: 1).contentHash == h)
        #expect(ScoredSequence(id: "x", tokens: [2, 3], promptLength: 1).scoredPositions == 0 ..< 1)
        #expect(ScoredSequence(id: "x", tokens: [2, 3], promptLength: 2).scoredPositions.isEmpty)
    }
}
