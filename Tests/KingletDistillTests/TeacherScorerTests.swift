import Foundation
import KingletArchitectures
import KingletGGUF
import KingletKernels
import KingletTestSupport
import KingletRuntime
import Testing
@testable import KingletDistill

/// The scorer on a tiny synthetic llama, against log-softmax computed plainly from the same
/// model's logits (one sequence at a time, whole sequence, full sort, Float64).
@Suite struct TeacherScorerTests {
    static let V = TinyLlamaFile.V

    /// The shared tiny llama, with a sharper output head than TinyLlamaTests' so the
    /// distributions are far from uniform.
    static func buildFile() -> GGUFWriter { TinyLlamaFile.build(tied: false, outputScale: 1.5).0 }

    static func loadModel() throws -> any LanguageModel {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tiny-\(UUID().uuidString).gguf").path
        try buildFile().write(to: path)
        defer { unlink(path) }  // the mapping stays valid after unlink
        return try ArchitectureRegistry.load(GGUFFile(path: path), options: ModelLoadOptions(pool: ThreadPool(threads: 2)))
    }

    static let sequences: [ScoredSequence] = [
        ScoredSequence(id: "a", tokens: [3, 1, 4, 1, 5, 9, 2, 6], promptLength: 3),
        ScoredSequence(id: "b", tokens: [7, 2, 10, 0, 8], promptLength: 1),
        ScoredSequence(id: "c", tokens: [5, 5, 5, 5], promptLength: 4),           // no completion
        ScoredSequence(id: "d", tokens: (0 ..< 30).map { Int32(($0 * 7 + 3) % 11) }, promptLength: 12),
    ]

    /// Log-softmax rows of the scored positions, from one forward pass over the whole sequence.
    static func referenceRows(_ s: ScoredSequence, model: any LanguageModel) throws -> [[Double]] {
        let c = model.config
        let state = ModelState(cache: KVCache(layers: c.layerCount, capacity: 64, rowSize: c.kvHeadCount * c.headSize, precision: .f32))
        let logits = try model.forward(s.tokens, state: state, logits: .all)   // [T, V]
        return s.scoredPositions.map { t in
            let row = (0 ..< V).map { Double(logits[t * V + $0]) }
            let m = row.max()!
            let lse = m + log(row.reduce(0) { $0 + exp($1 - m) })
            return row.map { $0 - lse }
        }
    }

    @Test(arguments: [1, 4, 11, 16])
    func matchesLogSoftmaxOfTheModelsLogits(k: Int) throws {
        let model = try Self.loadModel()
        // An F32 cache, as the reference uses: this compares the scoring, not the cache's rounding.
        let scorer = TeacherScorer(model: model, pool: ThreadPool(threads: 2), k: k, cachePrecision: .f32)
        let records = try scorer.score(Self.sequences)
        #expect(records.map(\.id) == Self.sequences.map(\.id))
        for (s, r) in zip(Self.sequences, records) {
            #expect(r.contentHash == s.contentHash && r.k == k)
            let rows = try Self.referenceRows(s, model: model)
            #expect(r.positionCount == rows.count)
            for (p, row) in rows.enumerated() {
                let order = row.indices.sorted { row[$0] > row[$1] }
                let n = min(k, Self.V)
                #expect(Array(r.ids[p * k ..< p * k + n]) == order.prefix(n).map(Int32.init), "\(s.id) position \(p)")
                for j in 0 ..< n {
                    #expect(abs(Double(r.logprobs[p * k + j]) - row[order[j]]) < 1e-4, "\(s.id) position \(p) rank \(j)")
                }
                for j in n ..< k { #expect(r.ids[p * k + j] == ScoreRecord.paddingID && r.logprobs[p * k + j] == -.infinity) }
                let tailMass = order.dropFirst(n).reduce(0.0) { $0 + exp(row[$1]) }
                let want = log(max(tailMass, TopKLogSoftmax.minimumTailMass))
                #expect(abs(Double(r.tailLogMass[p]) - want) < (k >= Self.V ? 1e-3 : 1e-4), "\(s.id) position \(p) tail")
            }
        }
    }

    @Test func batchingDoesNotChangeTheScores() throws {
        let pool = ThreadPool(threads: 2), model = try Self.loadModel()
        let together = try TeacherScorer(model: model, pool: pool, k: 4, maxBatchTokens: 4096).score(Self.sequences)
        let alone = try TeacherScorer(model: model, pool: pool, k: 4, maxBatchTokens: 1).score(Self.sequences)
        let oneThread = try TeacherScorer(model: model, pool: ThreadPool(threads: 1), k: 4, maxBatchTokens: 1).score(Self.sequences)
        for (a, b) in zip(together, alone) {
            #expect(a.ids == b.ids)
            let worst = zip(a.logprobs, b.logprobs).map { abs($0 - $1) }.max() ?? 0
            #expect(worst < 1e-5, "\(a.id): max |Δ| = \(worst)")
        }
        #expect(oneThread == alone, "the row reduction does not depend on the thread count")
    }

    @Test func scoresGoThroughTheStoreUnchanged() throws {
        let model = try Self.loadModel()
        let records = try TeacherScorer(model: model, pool: ThreadPool(threads: 2), k: 4).score(Self.sequences)
        let dir = ScoreFixtures.temporaryDirectory()
        let w = try TeacherScoreWriter(directory: dir, k: 4, vocabularySize: Self.V, tokenizerFingerprint: 5)
        for r in records { try w.append(r) }
        try w.finish()
        let store = try TeacherScoreStore(directory: dir)
        for (s, r) in zip(Self.sequences, records) { #expect(try store.scores(for: s)?.record == r) }
    }

    @Test func badSequencesAreTypedErrors() throws {
        let scorer = TeacherScorer(model: try Self.loadModel(), pool: ThreadPool(threads: 1), k: 2)
        #expect(throws: ScoreError.invalidSequence(id: "x", reason: "token 11 is outside the vocabulary (size 11)")) {
            try scorer.score([ScoredSequence(id: "x", tokens: [1, 11], promptLength: 1)])
        }
        #expect(throws: ScoreError.self) { try scorer.score([ScoredSequence(id: "y", tokens: [1, 2], promptLength: 0)]) }
        #expect(throws: ScoreError.self) { try scorer.score([ScoredSequence(id: "z", tokens: [1, 2], promptLength: 3)]) }
        #expect(throws: ScoreError.self) {
            try scorer.score([ScoredSequence(id: "long", tokens: [Int32](repeating: 1, count: 65), promptLength: 1)])
        }
    }
}
