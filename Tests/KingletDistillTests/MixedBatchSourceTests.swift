import Foundation
import Testing
@testable import KingletDistill
@testable import KingletTraining

/// `MixedBatchSource` over synthetic score stores, and the per-row CE weight in the loss.
@Suite struct MixedBatchSourceTests {
    static let k = 4, T = 12

    /// A store of `sequences` (synthetic scores) in a fresh directory.
    static func store(_ sequences: [ScoredSequence], k: Int = k) throws -> TeacherScoreStore {
        let dir = ScoreFixtures.temporaryDirectory()
        let w = try TeacherScoreWriter(directory: dir, k: k, vocabularySize: 100, tokenizerFingerprint: 9)
        for s in sequences { try w.append(ScoreFixtures.record(for: s, k: k)) }
        try w.finish()
        return try TeacherScoreStore(directory: dir)
    }

    static let teacher = (0 ..< 20).map { ScoreFixtures.sequence($0, prompt: 3, completion: 5) }
    static let onPolicy = (100 ..< 110).map { ScoreFixtures.sequence($0, prompt: 2, completion: 7) }

    static func source(ratio: Double, seed: UInt64) throws -> MixedBatchSource {
        try MixedBatchSource(teacher: teacher, teacherStore: try store(teacher), onPolicy: onPolicy, onPolicyStore: try store(onPolicy),
                             ratio: ratio, batch: 8, length: T, seed: seed)
    }

    /// Whether row b of a batch is an on-policy sample (its CE weight is 0).
    static func isOnPolicy(_ batch: TrainingBatch, row b: Int) -> Bool { batch.teacher!.crossEntropyWeight[b * T] == 0 }

    static func same(_ a: TrainingBatch, _ b: TrainingBatch) -> Bool {
        a.inputs == b.inputs && a.targets == b.targets && a.weights == b.weights && a.teacher!.ids == b.teacher!.ids
            && a.teacher!.crossEntropyWeight == b.teacher!.crossEntropyWeight
    }

    @Test func rowsFollowTheRatio() throws {
        for ratio in [0.0, 0.3, 1.0] {
            let source = try Self.source(ratio: ratio, seed: 5)
            var on = 0, rows = 0
            for _ in 0 ..< 500 {
                let b = try source.next()
                for r in 0 ..< b.batch { on += Self.isOnPolicy(b, row: r) ? 1 : 0; rows += 1 }
            }
            let share = Double(on) / Double(rows)
            #expect(abs(share - ratio) < 0.03, "ratio \(ratio): \(share) of \(rows) rows were on-policy")
        }
    }

    @Test func batchesAreDeterministicBySeedAndResumeFromTheSavedState() throws {
        let a = try Self.source(ratio: 0.4, seed: 11), b = try Self.source(ratio: 0.4, seed: 11), c = try Self.source(ratio: 0.4, seed: 12)
        var differ = false
        for _ in 0 ..< 10 {
            let x = try a.next(), y = try b.next(), z = try c.next()
            #expect(Self.same(x, y))
            differ = differ || !Self.same(x, z)
        }
        #expect(differ, "another seed gives other batches")

        let saved = a.state
        let continued = try (0 ..< 5).map { _ in try a.next() }
        let resumed = try Self.source(ratio: 0.4, seed: 99)
        try resumed.restore(state: saved)
        for expected in continued { #expect(Self.same(try resumed.next(), expected)) }
    }

    /// A state no xoshiro256** could have saved is refused, by both distillation sources, and the
    /// source keeps drawing what it drew before.
    @Test func anImpossibleStateIsRefused() throws {
        let mixed = try Self.source(ratio: 0.5, seed: 3)
        let plain = DistillBatchSource(sequences: Self.teacher, store: mixed.teacherStore, batch: 8, length: Self.T, seed: 3)
        for source in [mixed, plain] as [any BatchSource] {
            let before = source.state
            #expect(throws: TokenDataError.badSamplerState(reason: "an all-zero state never changes")) { try source.restore(state: [0, 0, 0, 0]) }
            #expect(throws: TokenDataError.badSamplerState(reason: "expected 4 state words, got 5")) { try source.restore(state: [1, 2, 3, 4, 5]) }
            #expect(source.state == before)
        }
    }

    @Test func ratioZeroGivesTheOffPolicyBatches() throws {
        let mixed = try Self.source(ratio: 0, seed: 4)
        let plain = DistillBatchSource(sequences: Self.teacher, store: mixed.teacherStore, batch: 8, length: Self.T, seed: 4)
        for _ in 0 ..< 5 {
            let a = try mixed.next(), b = try plain.next()
            #expect(a.inputs == b.inputs && a.targets == b.targets && a.weights == b.weights)
            #expect(a.teacher!.ids == b.teacher!.ids && a.teacher!.logprobs == b.teacher!.logprobs && a.teacher!.present == b.teacher!.present)
            #expect(a.teacher!.crossEntropyWeight == b.teacher!.crossEntropyWeight)
        }
    }

    @Test func onPolicyRowsCarryTheirOwnTeacherTargetsAndNoCrossEntropy() throws {
        let teacherStore = try Self.store(Self.teacher), onStore = try Self.store(Self.onPolicy)
        let on = Self.onPolicy[3], off = Self.teacher[7]
        let batch = try MixedBatchSource.batch([(on, onStore, true), (off, teacherStore, false)], length: Self.T)
        let t = try #require(batch.teacher)
        #expect(abs(batch.weights.reduce(0, +) - 1) < 1e-6, "one mean over the whole batch")
        for (b, (s, onPolicy)) in [(on, true), (off, false)].enumerated() {
            let record = ScoreFixtures.record(for: s, k: Self.k)
            for pos in 0 ..< Self.T {
                let r = b * Self.T + pos
                #expect(t.crossEntropyWeight[r] == (onPolicy ? 0 : 1))
                guard s.scoredPositions.contains(pos) else { #expect(batch.weights[r] == 0 && !t.present[r]); continue }
                let p = pos - s.scoredPositions.lowerBound
                #expect(batch.weights[r] > 0 && t.present[r], "the divergence still counts on row \(b)")
                #expect(Array(t.ids[r * Self.k ..< (r + 1) * Self.k]) == Array(record.ids[p * Self.k ..< (p + 1) * Self.k]))
            }
        }
    }

    @Test func badMixesAreRefused() throws {
        let teacherStore = try Self.store(Self.teacher), onStore = try Self.store(Self.onPolicy)
        #expect(throws: OnPolicyError.unscored(id: Self.teacher[0].id, directory: onStore.directory.path)) {
            try MixedBatchSource(teacher: Self.teacher, teacherStore: teacherStore, onPolicy: [Self.teacher[0]], onPolicyStore: onStore,
                                 ratio: 0.5, batch: 2, length: Self.T, seed: 0)
        }
        #expect(throws: OnPolicyError.topKMismatch(teacher: Self.k, onPolicy: 2)) {
            try MixedBatchSource(teacher: Self.teacher, teacherStore: teacherStore, onPolicy: Self.onPolicy,
                                 onPolicyStore: try Self.store(Self.onPolicy, k: 2), ratio: 0.5, batch: 2, length: Self.T, seed: 0)
        }
        #expect(throws: OnPolicyError.self) {
            try MixedBatchSource(teacher: Self.teacher, teacherStore: teacherStore, onPolicy: Self.onPolicy, onPolicyStore: onStore,
                                 ratio: 1.5, batch: 2, length: Self.T, seed: 0)
        }
    }

    /// One row's loss and gradient with the given CE weight.
    static func row(_ s: DistillationSettings, logits: [Float], target: Int32, teacher: TeacherTargets, ceWeight: Float) -> (Double, [Float]) {
        var t = teacher
        t.crossEntropyWeight[0] = ceWeight
        return DistillationLossTests.run(s, logits: logits, target: target, teacher: t)
    }

    @Test func anOnPolicyRowLearnsFromTheDivergenceAlone() {
        var rng = DistillationLossTests.Rng(s: 21)
        let v = 30
        let z = rng.logits(v)
        let teacher = DistillationLossTests.targets(teacherLogits: rng.logits(v), k: 6)
        let mixed = DistillationSettings(alpha: 0.5, temperature: 2), pure = DistillationSettings(alpha: 1, temperature: 2)
        let (onLoss, onGrad) = Self.row(mixed, logits: z, target: 3, teacher: teacher, ceWeight: 0)
        let (otherTarget, _) = Self.row(mixed, logits: z, target: 17, teacher: teacher, ceWeight: 0)
        let (kdLoss, kdGrad) = Self.row(pure, logits: z, target: 3, teacher: teacher, ceWeight: 1)
        let (offLoss, _) = Self.row(mixed, logits: z, target: 3, teacher: teacher, ceWeight: 1)
        // α·T²·D and its gradient, nothing of the CE term: the target token does not matter.
        #expect(onLoss > 0 && abs(onLoss - 0.5 * kdLoss) < 1e-9 && onLoss == otherTarget)
        #expect(zip(onGrad, kdGrad).allSatisfy { abs(Double($0) - 0.5 * Double($1)) < 1e-6 })
        // The teacher's own rows keep (1−α)·CE.
        let m = Double(z.max()!), ce = m + log(z.reduce(0.0) { $0 + exp(Double($1) - m) }) - Double(z[3])
        #expect(abs(offLoss - onLoss - 0.5 * ce) < 1e-6)
    }
}
