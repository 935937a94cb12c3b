import Foundation
import KingletTraining
import Testing
@testable import KingletDistill

/// `DistillPipeline` end to end in the library, on the real teacher with the smallest settings:
/// a few short samples, the nano student for a few steps, then a rerun that finds every stage done.
struct DistillPipelineTests {
    @Test func aTinyPipelineRunsEndToEndAndResumes() async throws {
        let dir = try TeacherTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var c = DistillPipeline.Configuration(directory: dir)
        c.teacher = TeacherTestSupport.modelPath
        c.count = 16
        c.maxTokens = 12
        c.teacherConcurrency = 4
        c.student = .preset(.nano)
        c.steps = 4
        c.batch = 2
        c.seq = 128
        c.validationFraction = 0.25
        c.threads = 2
        let pipeline = DistillPipeline(c)

        let log = EventLog()
        let result = try await pipeline.run(events: log.append)
        let stages = log.stages
        #expect(stages == [.generate, .score, .train(.kd, seed: 0), .train(.baseline, seed: 0), .report])

        // Generation kept the scores, so the scoring stage found nothing left to do.
        let records = try DistillDataset(directory: pipeline.dataDirectory).records()
        #expect(records.count == 16 && records.allSatisfy { $0.completionTokens.count <= 13 })
        #expect(log.events.contains { if case let .scoringStarted(n, done, _, k, _) = $0 { n == 16 && done == 16 && k == 32 } else { false } })
        #expect(log.events.contains { if case let .generated(s) = $0 { s.generated == 16 && s.pending == 0 } else { false } })

        let trained = log.events.compactMap { if case let .trained(name, f, _) = $0 { (name, f) } else { nil } }
        #expect(trained.map(\.0) == ["kd-seed0", "baseline-seed0"])
        #expect(trained.allSatisfy { ($0.1.valCE ?? .nan).isFinite && ($0.1.top1Agreement ?? -1) >= 0 })
        for run in result.runs {
            for file in ["run.json", "metrics.jsonl", "eval.json", "student-q8_0.gguf", "student-q4_0.gguf"] {
                #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent(file).path), "\(run.lastPathComponent)/\(file)")
            }
        }
        #expect(result.student == dir.appendingPathComponent("kd-seed0/student-q8_0.gguf"))
        #expect(result.report == dir.appendingPathComponent("report.html") && result.reportJSON == dir.appendingPathComponent("report.json"))
        let report = try DistillReport.build(runDirectories: result.runs)
        #expect(report.runs.map(\.kind) == [.kd, .baseline])
        #expect(try String(contentsOf: result.report, encoding: .utf8).contains("<svg"))
        // The shipped students and the teacher measured once: speed, size, perplexity of their answers.
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: result.reportJSON)) as? [String: Any])
        let teacher = try #require(json["teacher"] as? [String: Any])
        #expect((teacher["teacher_ppl_of_generations"] as? Double ?? 0) >= 1 && (teacher["tg128_tokens_per_second"] as? Double ?? 0) > 0)
        for run in try #require(json["runs"] as? [[String: Any]]) {
            #expect((run["teacher_ppl_of_generations"] as? Double ?? 0) >= 1 && (run["file_bytes"] as? Double ?? 0) > 0)
        }
        #expect(!(json["answers"] as? [Any] ?? []).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: DistillBudget.url(in: dir).path), "no budget, no plan")

        // A rerun asks the teacher nothing and trains nothing.
        let again = EventLog()
        try await pipeline.run(events: again.append)
        #expect(again.stages == [.generate, .score, .alreadyTrained(.kd, seed: 0), .alreadyTrained(.baseline, seed: 0), .report])
        #expect(again.events.contains { if case let .generated(s) = $0 { s.generated == 0 && s.cached == 16 } else { false } })
    }

    @Test func aBadConfigurationIsRefusedBeforeAnyWork() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-distill-\(UUID().uuidString)")
        var c = DistillPipeline.Configuration(directory: dir)
        c.seeds = 0
        await #expect(throws: DistillPipelineError.invalidSetting(name: "seeds", requirement: "at least 1 (it is 0)")) {
            try await DistillPipeline(c).run()
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path))
    }

    @Test func theDefaultsAreTheCommandLines() throws {
        let c = DistillPipeline.Configuration(directory: URL(fileURLWithPath: "/tmp/x"))
        #expect(c.teacher == "smollm2-135m" && c.preset == "stories" && c.count == 320 && c.maxTokens == 200)
        #expect(c.seeds == 1 && c.student == .pruned(PruneSpec(layers: 16)) && c.steps == 150 && c.budgetMinutes == nil)
        #expect(c.batch == nil && c.effectiveBatch == 1 && c.seq == 256 && c.learningRate == nil && c.alpha == nil && c.effectiveAlpha == 1
                && c.effectiveLearningRate == 1e-3 && c.temperature == 1 && c.quantizationAwareShare == 1)
        #expect(c.teacherConcurrency == 16 && c.scoreTopK == 32 && c.validationFraction == 0.05)
        #expect(c.recipe.contains("prune:layers=16") && c.recipe.contains("α 1.00"))
        // A student from scratch keeps the scratch defaults.
        var scratch = c
        scratch.student = .preset(.micro)
        let s = try DistillPipeline(scratch).trainSettings(seed: 1, steps: 150)
        #expect(s.learningRate == 2e-3 && s.initialWeights == nil && scratch.effectiveAlpha == 0.5 && s.batch == 8)
        #expect(s.warmup == 15 && s.evalEvery == 75 && s.evalBatches == 4 && s.checkpointEvery == 75 && s.seed == 1 && s.preset == "micro")
    }

    /// An odd step count evaluates and checkpoints halfway and at the end, not also one step
    /// before the end (87 steps: 43 would come again at 86, an evaluation and a 1 GB checkpoint).
    @Test(arguments: [1, 2, 7, 74, 87])
    func halfwayComesOnceBeforeTheEnd(steps: Int) throws {
        var c = DistillPipeline.Configuration(directory: URL(fileURLWithPath: "/tmp/x"))
        c.student = .preset(.micro)
        let s = try DistillPipeline(c).trainSettings(seed: 0, steps: steps)
        let evaluations = (1 ... steps).filter { $0 % s.evalEvery == 0 && $0 < steps }
        let checkpoints = (1 ... steps).filter { $0 % s.checkpointEvery == 0 && $0 < steps }
        #expect(evaluations == (steps > 1 ? [(steps + 1) / 2] : []))
        #expect(checkpoints == evaluations)
    }
}

/// Events from any thread, in arrival order.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [DistillEvent] = []

    var events: [DistillEvent] { lock.withLock { list } }
    var stages: [DistillStage] { events.compactMap { if case let .stage(s) = $0 { s } else { nil } } }
    func append(_ e: DistillEvent) { lock.withLock { list.append(e) } }
}
