import Foundation
import Testing
@testable import KingletDistill
import KingletRuntime
import KingletTraining

/// The budget planner's arithmetic and its plan.json, without a model.
struct DistillBudgetTests {
    @Test func theTeacherGetsItsShare() {
        #expect(DistillBudget.teacherShare == 0.35)
        #expect(DistillBudget.teacherMinutes(of: 30) == 30 * 0.35)
        #expect(DistillBudget.teacherMinutes(of: 1) == 0.35)
    }

    /// 1200 s for 2 runs: 600 each, less 30 of overhead and 3 evaluations of 4 batches at half a
    /// 2 s step (12 s) leaves 558 s, steps of 2 s × 1.15: 242 of them.
    @Test func stepsComeFromTheTimedStep() throws {
        let plan = try DistillBudget.fit(budgetMinutes: 30, secondsLeft: 1200, stepSeconds: 2, runs: 2, validationBatches: 4)
        #expect(plan == DistillBudget(budgetMinutes: 30, secondsLeft: 1200, stepSeconds: 2, runs: 2, steps: 242))
        // Twice the step time, half the steps (rounded down); more runs share the same time.
        #expect(try DistillBudget.fit(budgetMinutes: 30, secondsLeft: 1200, stepSeconds: 4, runs: 2, validationBatches: 0).steps
            == Int((600 - 30) / (4 * 1.15)))
        #expect(try DistillBudget.fit(budgetMinutes: 30, secondsLeft: 1200, stepSeconds: 2, runs: 6, validationBatches: 0).steps
            == Int((200 - 30) / 2.3))
    }

    /// A run that fits at least one step gets the minimum of ten.
    @Test func aShortRunGetsTheMinimumSteps() throws {
        // 2 runs × (30 s overhead + 5 s): two 2.3 s steps fit.
        let plan = try DistillBudget.fit(budgetMinutes: 5, secondsLeft: 70, stepSeconds: 2, runs: 2, validationBatches: 0)
        #expect(plan.steps == DistillBudget.minimumSteps)
    }

    @Test func aBudgetTooSmallToTrainIsATypedError() throws {
        // 2 runs × 30 s of overhead is all there is: no step fits.
        #expect(throws: DistillBudgetError.self) {
            try DistillBudget.fit(budgetMinutes: 3, secondsLeft: 61, stepSeconds: 2, runs: 2, validationBatches: 0)
        }
        do throws(DistillBudgetError) {
            _ = try DistillBudget.fit(budgetMinutes: 3, secondsLeft: -20, stepSeconds: 2, runs: 2, validationBatches: 1)
            Issue.record("no time left must not plan")
        } catch {
            guard case let .tooSmall(budget, left, runs, perRun, suggested) = error else { return }
            #expect(budget == 3 && left == -20 && runs == 2)
            #expect(abs(perRun - (30 + 3 * 1.0 + 2.3)) < 1e-9, "overhead, 3 half-step evaluations, one step")
            // 200 s spent already, and each run needs 30 + 3 + 10 × 2.3 = 56 s: 312 s.
            #expect(suggested == 6)
            let text = error.errorDescription ?? ""
            #expect(text.contains("a budget of 3 minutes leaves 0 s for 2 training runs") && text.contains("Hint: allow about 6 minutes"),
                    "\(text)")
        }
        // Nothing is saved, so a rerun with a larger budget plans again.
        let dir = ScoreFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: DistillBudgetError.self) {
            try DistillBudget.plan(in: dir, budgetMinutes: 1, started: Date(), runs: 2, validationBatches: 0) { 2 }
        }
        #expect(DistillBudget.saved(in: dir) == nil)
    }

    @Test func aRerunKeepsPlanJSON() throws {
        let dir = ScoreFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let started = Date(timeIntervalSinceNow: -600)
        let first = try DistillBudget.plan(in: dir, budgetMinutes: 30, started: started, runs: 2, validationBatches: 4) { 2 }
        #expect(abs(first.secondsLeft - 1200) < 30, "30 minutes less the 10 already spent")
        #expect(first.steps == (try DistillBudget.fit(budgetMinutes: 30, secondsLeft: first.secondsLeft, stepSeconds: 2, runs: 2,
                                                      validationBatches: 4)).steps)
        let again = try DistillBudget.plan(in: dir, budgetMinutes: 60, started: Date(), runs: 8, validationBatches: 0) {
            Issue.record("a saved plan is not measured again")
            return 100
        }
        #expect(again == first, "the steps (and the learning-rate schedule) a run started with")

        // The file: snake_case keys, sorted, as the planner wrote it before it moved to the library.
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: DistillBudget.url(in: dir))) as? [String: Any]
        #expect(Set(object?.keys.map { $0 } ?? []) == ["budget_minutes", "seconds_left", "step_seconds", "runs", "steps"])
        let old = #"{"budget_minutes" : 30, "runs" : 6, "seconds_left" : 1100.5, "step_seconds" : 2.25, "steps" : 97}"#
        try Data(old.utf8).write(to: DistillBudget.url(in: dir))
        #expect(DistillBudget.saved(in: dir) == DistillBudget(budgetMinutes: 30, secondsLeft: 1100.5, stepSeconds: 2.25, runs: 6, steps: 97))
    }

    /// Later seeds re-fit to the time left, scaled by what the pairs before them really took.
    @Test func laterSeedsRefitToTheTimeLeft() throws {
        let plan = DistillBudget(budgetMinutes: 30, secondsLeft: 1200, stepSeconds: 2, runs: 4, steps: 100)
        // A pair of 100 steps is predicted at 2 × (30 + 0 + 100 × 2.3) = 520 s.
        #expect(SeedSteps.predictedPairSeconds(plan, steps: 100, validationBatches: 0) == 520)
        // 540 s left (20 kept for the report) for one pair, predictions right: 520 s → 100 steps.
        #expect(SeedSteps.fit(plan, secondsLeft: 540, pairsLeft: 1, correction: 1, validationBatches: 0) == 100)
        // The first pair took 1.3× its prediction: the same time holds fewer steps.
        #expect(SeedSteps.fit(plan, secondsLeft: 540, pairsLeft: 1, correction: 1.3, validationBatches: 0) == Int((400 - 60) / 4.6))
        // It took less: more steps fill the rest instead of leaving it unused.
        #expect(SeedSteps.fit(plan, secondsLeft: 540, pairsLeft: 1, correction: 0.8, validationBatches: 0) == Int((650 - 60) / 4.6))
        // Nothing left still trains the minimum.
        #expect(SeedSteps.fit(plan, secondsLeft: 10, pairsLeft: 2, correction: 1, validationBatches: 0) == DistillBudget.minimumSteps)
        let dir = ScoreFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var saved = SeedSteps()
        saved.steps = [0: 100, 1: 73]
        saved.correction = 1.25
        try saved.save(in: dir)
        #expect(SeedSteps.saved(in: dir) == saved)
    }

    @Test func measuresAStep() throws {
        let shape = ModelShape(dim: 32, layers: 2, heads: 2, kvHeads: 1, ffn: 64)
        let seconds = try DistillBudget.measureStep(shape: shape, vocabularySize: 256, batch: 1, seq: 16, threads: 1)
        #expect(seconds > 0 && seconds < 10)
        // A quantization-aware run's step, rounding included.
        let rounded = try DistillBudget.measureStep(shape: shape, vocabularySize: 256, batch: 1, seq: 16, threads: 1, roundedTo: .q4_1)
        #expect(rounded > 0 && rounded < 10)
    }
}
