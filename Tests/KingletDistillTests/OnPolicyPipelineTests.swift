import Foundation
import KingletTraining
import Testing
@testable import KingletDistill

/// `distill run --on-policy-ratio λ` on tiny models: the pipeline's KD run pauses at its round's
/// step, its checkpoint samples training prompts, the teacher scores them, and training resumes on
/// the λ-mix; the baseline trains exactly as at λ = 0; a stopped run resumes to the same losses.
@Suite struct OnPolicyPipelineTests {
    static let steps = 6

    /// A pipeline over the tiny fixture's scored teacher dataset in `dir/data` (a nano student from scratch).
    static func pipeline(_ dir: URL, teacher: String, ratio: Double) -> DistillPipeline {
        var c = DistillPipeline.Configuration(directory: dir)
        c.teacher = teacher
        c.student = .preset(.nano)
        c.scoreTopK = OnPolicyJobTests.k
        c.maxTokens = 6
        c.teacherConcurrency = 3
        c.batch = 4
        c.seq = 16
        c.alpha = 0.5
        c.validationFraction = 0.25
        c.threads = 1
        c.onPolicyRatio = ratio
        return DistillPipeline(c)
    }

    /// Two pipeline directories under `root` with the same scored teacher dataset (`OnPolicyJobTests`'s) in `data/`.
    static func twoDirectories(_ root: URL, _ a: String, _ b: String, teacher: String) throws -> (URL, URL) {
        let first = root.appendingPathComponent(a), second = root.appendingPathComponent(b)
        let data = first.appendingPathComponent("data")
        _ = try OnPolicyJobTests.teacherDataset(data, teacher: teacher, n: 16)
        var scoring = DistillScoringJob(teacher: teacher, dataDirectory: data)
        scoring.topK = OnPolicyJobTests.k
        scoring.threads = 1
        try scoring.run()
        try FileManager.default.copyItem(at: data, to: second.appendingPathComponent("data"))
        return (first, second)
    }

    static func losses(_ run: URL) throws -> [Double] {
        try DistillRun(directory: run).train.map(\.loss)
    }

    @Test func theKDRunTrainsOnItsOwnSamplesAndTheBaselineDoesNot() async throws {
        let root = try TeacherTestSupport.temporaryDirectory(), teacher = try OnPolicyJobTests.modelFile(tied: true)
        defer { try? FileManager.default.removeItem(at: root); unlink(teacher) }
        let (on, off) = try Self.twoDirectories(root, "on", "off", teacher: teacher)
        let onPolicy = Self.pipeline(on, teacher: teacher, ratio: 0.5), offPolicy = Self.pipeline(off, teacher: teacher, ratio: 0)
        for p in [onPolicy, offPolicy] {
            for kind in [DistillTrainingJob.Kind.kd, .baseline] { try await p.trainRun(kind, seed: 0, steps: Self.steps) }
        }

        // One round, halfway: as many samples as the mix draws on-policy rows after it (λ·batch·3).
        let kd = onPolicy.runDirectory(.kd, seed: 0)
        let record = try #require(OnPolicyRounds.saved(in: kd))
        #expect(record.ratio == 0.5 && record.rounds.map(\.step) == [3] && record.rounds[0].prompts == 6)
        #expect(record.rounds[0].samples == 6 && record.rounds[0].scored == 6 && record.rounds[0].complete)
        #expect(!FileManager.default.fileExists(atPath: OnPolicyRounds.url(in: onPolicy.runDirectory(.baseline, seed: 0)).path))

        // The round's samples are the student's and round-trip through the teacher's score shards.
        let round = OnPolicyRounds.directory(in: kd, round: 1)
        let records = try DistillDataset(directory: round).records()
        #expect(records.count == 6 && records.allSatisfy { $0.teacher.hasPrefix("student:") })
        let store = try TeacherScoreStore(directory: round.appendingPathComponent("scores"))
        #expect(store.k == OnPolicyJobTests.k && store.recordCount == 6)
        #expect(try MixedBatchSource.onPolicySequences(in: round, store: store, length: 16).count == 6)
        let teacherModel = try OnPolicyJobTests.load(teacher)
        for r in records {
            let stored = try #require(try store.scores(for: r.scoredSequence))
            let rows = try TeacherScorerTests.referenceRows(r.scoredSequence, model: teacherModel)
            #expect(stored.positionCount == r.completionTokens.count && rows.count == stored.positionCount)
            for (p, row) in rows.enumerated() {
                for (j, id) in stored.tokenIDs(at: p).enumerated() {
                    // The pipeline scores with an F16 KV cache, hence the tolerance.
                    #expect(abs(Double(stored.logprobs(at: p)[j]) - row[Int(id)]) < 2e-2, "\(r.id) position \(p) rank \(j)")
                }
            }
        }

        // The KD run reads the mix after the round, and only then; the baseline never does.
        let kdOn = try Self.losses(kd), kdOff = try Self.losses(offPolicy.runDirectory(.kd, seed: 0))
        #expect(kdOn.count == Self.steps && kdOff.count == Self.steps)
        #expect(Array(kdOn.prefix(3)) == Array(kdOff.prefix(3)))
        #expect(Array(kdOn.suffix(3)) != Array(kdOff.suffix(3)))
        #expect(try Self.losses(onPolicy.runDirectory(.baseline, seed: 0)) == Self.losses(offPolicy.runDirectory(.baseline, seed: 0)))

        // run.json and report.json say so.
        let info = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: kd.appendingPathComponent("run.json"))) as? [String: Any])
        #expect(info["on_policy_ratio"] as? Double == 0.5)
        let (_, reportJSON) = try onPolicy.report()
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: reportJSON)) as? [String: Any])
        let runs = try #require(json["runs"] as? [[String: Any]])
        #expect(runs[0]["on_policy_ratio"] as? Double == 0.5)
        let rounds = try #require(runs[0]["on_policy_rounds"] as? [[String: Any]])
        #expect(rounds.count == 1 && rounds[0]["samples"] as? Int == 6 && (rounds[0]["seconds"] as? Double ?? -1) >= 0)
        #expect(runs[1]["on_policy_ratio"] == nil)
    }

    @Test func aStoppedOnPolicyRunResumesToTheSameLosses() async throws {
        let root = try TeacherTestSupport.temporaryDirectory(), teacher = try OnPolicyJobTests.modelFile(tied: true)
        defer { try? FileManager.default.removeItem(at: root); unlink(teacher) }
        let (straight, stopped) = try Self.twoDirectories(root, "straight", "stopped", teacher: teacher)
        try await Self.pipeline(straight, teacher: teacher, ratio: 0.5).trainRun(.kd, seed: 0, steps: Self.steps)

        // Stopped before the round, then after it (the rerun pauses, samples, resumes, stops), then finished.
        var p = Self.pipeline(stopped, teacher: teacher, ratio: 0.5)
        let kd = p.runDirectory(.kd, seed: 0)
        for stop in [2, 5] {
            p.stopKDAtStep = stop
            let stopping = p
            await #expect(throws: DistillTrainingError.self) { try await stopping.trainRun(.kd, seed: 0, steps: Self.steps) }
            #expect(try DistillTrainingJob.checkpointStep(in: kd) == stop)
            #expect(OnPolicyRounds.saved(in: kd)?.rounds.count == (stop < 3 ? nil : 1))
        }
        p.stopKDAtStep = nil
        try await p.trainRun(.kd, seed: 0, steps: Self.steps)
        #expect(try Self.losses(kd) == Self.losses(straight.appendingPathComponent("kd-seed0")))
    }

    @Test func aRatioOutsideZeroToOneIsRefused() {
        for ratio in [1, -0.1, .nan, 2] {
            var c = DistillPipeline.Configuration(directory: URL(fileURLWithPath: "/tmp/x"))
            c.onPolicyRatio = ratio
            #expect(throws: DistillPipelineError.self) { try c.validate() }
        }
        var c = DistillPipeline.Configuration(directory: URL(fileURLWithPath: "/tmp/x"))
        c.onPolicyRatio = 0.5
        #expect(throws: Never.self) { try c.validate() }
        c.alpha = 0
        #expect(throws: DistillPipelineError.invalidSetting(name: "alpha", requirement: "above 0 with on-policy samples (their rows carry no CE)")) {
            try c.validate()
        }
    }

    @Test func theCommandLineNamesTheFlag() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-onpolicy-\(UUID().uuidString)")
        let kinglet = try TeacherTestSupport.kinglet()
        let ratio = try TeacherTestSupport.run(kinglet, ["distill", "run", "--on-policy-ratio", "1", "--out", out.path])
        #expect(ratio.status != 0 && ratio.stderr.contains("--on-policy-ratio must be in [0, 1)"), "\(ratio.stderr)")
        let alpha = try TeacherTestSupport.run(kinglet, ["distill", "run", "--on-policy-ratio", "0.5", "--alpha", "0", "--out", out.path])
        #expect(alpha.status != 0 && alpha.stderr.contains("--alpha must be above 0 with on-policy samples"), "\(alpha.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test func theBudgetPaysForTheRoundsOutOfThePairsEqualSteps() throws {
        let cost = OnPolicyCost(ratio: 0.5, rounds: 1, batch: 8, sampleSeconds: 0.5)
        #expect(cost.secondsPerStep == 0.5 * 8 * 0.5 * 0.5)
        let off = try DistillBudget.fit(budgetMinutes: 30, secondsLeft: 1200, stepSeconds: 2, runs: 2, validationBatches: 2)
        let on = try DistillBudget.fit(budgetMinutes: 30, secondsLeft: 1200, stepSeconds: 2, runs: 2, validationBatches: 2, onPolicy: cost)
        #expect(on.steps < off.steps && on.onPolicy?.stepsWithout == off.steps && off.onPolicy == nil)
        // The pair's predicted time, KD's rounds included, still fits what was left.
        let pair = SeedSteps.predictedPairSeconds(on, steps: on.steps, validationBatches: 2)
        #expect(pair <= 1200 && pair > 1200 - 2 * (2 * DistillBudget.stepMargin + cost.secondsPerStep / 2))
        #expect(SeedSteps.fit(on, secondsLeft: 1200 + SeedSteps.reportReserve, pairsLeft: 1, correction: 1, validationBatches: 2) == on.steps)
        // plan.json keeps it; an older plan without it still reads.
        let dir = try TeacherTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try on.save(in: dir)
        #expect(DistillBudget.saved(in: dir) == on)
        try Data(#"{"budget_minutes": 30, "seconds_left": 1200, "step_seconds": 2, "runs": 2, "steps": 100}"#.utf8).write(to: DistillBudget.url(in: dir))
        #expect(DistillBudget.saved(in: dir)?.onPolicy == nil && DistillBudget.saved(in: dir)?.steps == 100)
    }

    @Test func roundsAreEvenlySpacedInsideTheRun() {
        #expect(OnPolicyRounds.boundaries(steps: 6, count: 1) == [3])
        #expect(OnPolicyRounds.boundaries(steps: 90, count: 2) == [30, 60])
        #expect(OnPolicyRounds.boundaries(steps: 2, count: 3) == [1])
        #expect(OnPolicyRounds.boundaries(steps: 1, count: 1) == [])
        #expect(OnPolicyRounds.samples(ratio: 0.5, batch: 4, stepsUntilNext: 3) == 6)
    }
}
