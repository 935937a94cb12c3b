import Foundation
import KingletTraining
import Testing
@testable import KingletDistill

/// A second round of distillation on tiny models: `DistillTrainingJob.onPolicy` mixes
/// `OnPolicyJob`'s samples into a KD run.
@Suite struct OnPolicyRoundTests {
    @Test func aKDRunTrainsOnTheMixAndTheBaselineIgnoresIt() async throws {
        let dir = try TeacherTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let studentPath = try OnPolicyJobTests.modelFile(tied: false), teacherPath = try OnPolicyJobTests.modelFile(tied: true)
        defer { unlink(studentPath); unlink(teacherPath) }
        let data = dir.appendingPathComponent("teacher-data"), out = dir.appendingPathComponent("onpolicy")
        _ = try OnPolicyJobTests.teacherDataset(data, teacher: teacherPath, n: 16)
        var scoring = DistillScoringJob(teacher: teacherPath, dataDirectory: data)
        scoring.topK = OnPolicyJobTests.k
        scoring.threads = 1
        try scoring.run()
        try await OnPolicyJobTests.job(student: studentPath, teacher: teacherPath, data: data, out: out).run()

        func job(_ kind: DistillTrainingJob.Kind, alpha: Double = 0.5, name: String) -> DistillTrainingJob {
            var s = TrainSettings(steps: 2, batch: 4, length: 16, preset: "tiny", shape: ModelShape(dim: 32, layers: 1, heads: 2, kvHeads: 1, ffn: 64))
            s.warmup = 1
            s.evalEvery = 1
            s.evalBatches = 1
            var j = DistillTrainingJob(dataDirectory: data, scoresDirectory: data.appendingPathComponent("scores"),
                                       teacherPath: URL(fileURLWithPath: teacherPath), runDirectory: dir.appendingPathComponent(name),
                                       name: name, kind: kind, settings: s, distillation: DistillationSettings(alpha: alpha))
            j.validationFraction = 0.25
            j.exports = []
            j.threads = 1
            j.onPolicy = OnPolicyMix(dataDirectory: out, ratio: 0.5)
            return j
        }
        let kd = try job(.kd, name: "kd").run(log: { _ in })
        #expect((kd["val_ce"] as? Double)?.isFinite == true)
        let info = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("kd/run.json"))) as? [String: Any]
        #expect(info?["on_policy_ratio"] as? Double == 0.5)

        try job(.baseline, name: "base").run(log: { _ in })
        let base = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("base/run.json"))) as? [String: Any]
        #expect(base?["on_policy_ratio"] == nil)

        #expect(throws: OnPolicyError.self) { try job(.kd, alpha: 0, name: "kd-alpha0").run(log: { _ in }) }
    }
}
