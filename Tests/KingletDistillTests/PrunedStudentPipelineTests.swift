import Foundation
import KingletGGUF
import KingletTraining
import Testing
@testable import KingletDistill

/// The default recipe's shape on the real teacher with the smallest settings: the student is the
/// teacher cut down (2 layers, 256 feed-forward channels), measured before training, healed by
/// KD (α 1, with an on-policy round) and a CE-only baseline from the same starting point, every
/// step on weights rounded to the teacher's quantization (Q4_1), shipped in it, with the starting
/// point in the report.
struct PrunedStudentPipelineTests {
    @Test func aPrunedStudentIsMeasuredHealedAndShippedAsTheTeacherIs() async throws {
        let dir = try TeacherTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var c = DistillPipeline.Configuration(directory: dir)
        c.teacher = TeacherTestSupport.modelPath
        c.count = 16
        c.maxTokens = 12
        c.teacherConcurrency = 4
        c.student = try StudentSpec(parsing: "prune:layers=2,ffn=256")
        c.steps = 3
        c.batch = 2
        c.seq = 128
        c.validationFraction = 0.25
        c.threads = 2
        c.onPolicyRatio = 0.5
        let pipeline = DistillPipeline(c)
        let log = EventLog()
        let result = try await pipeline.run(events: log.append)
        #expect(log.stages == [.generate, .score, .prune, .train(.kd, seed: 0), .train(.baseline, seed: 0), .report])

        // The starting point is a model the engine runs, with the teacher's tokenizer, and was measured.
        let pruned = try PretrainedWeights.load(pipeline.prunedStudentURL)
        #expect(pruned.config.layerCount == 2 && pruned.config.feedForwardSize == 256 && pruned.config.vocabularySize == 49152)
        let plan = try JSONSerialization.jsonObject(with: Data(contentsOf: pipeline.studentInitDirectory.appendingPathComponent("prune.json"))) as? [String: Any]
        #expect((plan?["kept_layers"] as? [Int])?.count == 2 && (plan?["layer_drop_kl"] as? [Double])?.count == 30)
        let untrained = log.events.compactMap { if case let .trained(name, f, _) = $0, name.contains("untrained") { f } else { nil } }
        #expect(untrained.count == 1 && (untrained.first?.top1Agreement ?? -1) >= 0)

        // Both runs started from it (α 1 for KD), trained every step on weights rounded to the
        // teacher's Q4_1, and ship that file alone.
        for run in result.runs {
            let info = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("run.json"))) as? [String: Any])
            #expect(info["student"] as? String == "pruned")
            #expect(info["quantization_aware"] as? String == "Q4_1" && info["quantization_aware_from_step"] as? Int == 0)
            #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent("student-q4_1.gguf").path))
            #expect(!FileManager.default.fileExists(atPath: run.appendingPathComponent("student-q8_0.gguf").path))
            #expect(!FileManager.default.fileExists(atPath: run.appendingPathComponent("student-q4_0.gguf").path))
            #expect(!FileManager.default.fileExists(atPath: run.appendingPathComponent("student-f32.tmp.gguf").path))
            #expect(!FileManager.default.fileExists(atPath: run.appendingPathComponent("rounded.tmp").path))
            // The run's own figures are the shipped file's (both are the rounded weights).
            let eval = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("eval.json"))) as? [String: Any])
            let q41 = try #require((eval["exports"] as? [String: Any])?["q4_1"] as? [String: Any])
            let own = try #require(eval["kl_to_teacher"] as? Double), file = try #require(q41["kl_to_teacher"] as? Double)
            #expect(abs(own - file) <= 0.02 * max(own, 1e-3), "training's rounded view \(own) vs the Q4_1 file \(file)")
            // Where the run's time went: every phase, none negative, adding up to the total.
            let seconds = try #require(eval["seconds"] as? [String: Double])
            #expect(Set(seconds.keys) == ["setup", "steps", "evaluations_and_checkpoints", "held_out_evaluation", "export",
                                          "export_evaluation", "shipped_measurement", "total"])
            #expect(seconds.values.allSatisfy { $0 >= 0 } && (seconds["steps"] ?? 0) > 0)
            let phases = seconds.filter { $0.key != "total" }.values.reduce(0, +)
            #expect(abs(phases - (seconds["total"] ?? -1)) <= 1e-9 * max(phases, 1))
        }
        #expect(result.student == dir.appendingPathComponent("kd-seed0/student-q4_1.gguf"))
        // The on-policy round sampled from the student as it ships: its rounded weights, as Q4_1.
        let round = OnPolicyRounds.directory(in: pipeline.runDirectory(.kd, seed: 0), round: 1)
        let sampler = round.appendingPathComponent("student-q4_1.gguf")
        #expect(try GGUFFile(path: sampler.path).metadata["general.file_type"]?.intValue == 3)
        #expect(!FileManager.default.fileExists(atPath: round.appendingPathComponent("student-q8_0.gguf").path))
        #expect((OnPolicyRounds.saved(in: pipeline.runDirectory(.kd, seed: 0))?.rounds.first?.scored ?? 0) > 0)
        #expect(try GGUFFile(path: dir.appendingPathComponent("kd-seed0/student-q4_1.gguf").path).metadata["general.file_type"]?.intValue == 3)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: result.reportJSON)) as? [String: Any])
        let start = try #require(json["untrained_student"] as? [String: Any])
        #expect((start["top1_agreement"] as? Double).map { (0 ... 1).contains($0) } == true)
        let runs = try #require(json["runs"] as? [[String: Any]])
        #expect(runs.first?["alpha"] as? Double == 1 && runs.first?["shipped_format"] as? String == "q4_1")
        #expect((runs.first?["exports"] as? [String: Any]).map { Set($0.keys) } == ["q4_1"])
        #expect(((runs.first?["seconds"] as? [String: Double])?["steps"] ?? 0) > 0)
        #expect(try String(contentsOf: result.report, encoding: .utf8).contains("Before training, the student cut from the teacher"))
    }
}
