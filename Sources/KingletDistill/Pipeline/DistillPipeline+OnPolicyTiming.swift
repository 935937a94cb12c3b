import Foundation
import KingletGGUF
import KingletKernels
import KingletRuntime
import KingletTokenizer
import KingletTraining

extension DistillPipeline {
    /// Completion tokens each timed sample is cut to (random weights never end a sample sooner).
    static let onPolicyTimingTokens = 32

    /// The budget plan's price of on-policy rounds (nil at λ = 0, or when plan.json is already
    /// there): `OnPolicyCost` with `measureOnPolicySample`'s figure.
    func onPolicyCost(events: @escaping DistillEventHandler) async throws -> OnPolicyCost? {
        let c = configuration
        guard c.onPolicyRatio > 0, c.budgetMinutes != nil, DistillBudget.saved(in: directory) == nil else { return nil }
        let seconds = try await measureOnPolicySample(events: events)
        return OnPolicyCost(ratio: c.onPolicyRatio, rounds: c.onPolicyRounds, batch: c.effectiveBatch, sampleSeconds: seconds)
    }

    /// Seconds of one on-policy sample, measured as the planner measures a step (weights do not
    /// change the time): a student of the training shape with random weights, as Q8_0, samples
    /// one batch of training prompts (`teacherConcurrency`) for `onPolicyTimingTokens` tokens
    /// each through `OnPolicyJob`, and the teacher scores them; the time per completion token
    /// (loading both models included) times the teacher samples' mean completion length.
    public func measureOnPolicySample(events: @escaping DistillEventHandler = { _ in }) async throws -> Double {
        let c = configuration
        let teacherPath = try store.resolve(c.teacher) { events(.message($0)) }
        let dir = directory.appendingPathComponent("onpolicy-timing")
        try? FileManager.default.removeItem(at: dir)
        defer { try? FileManager.default.removeItem(at: dir) }
        let student = try randomStudent(in: dir, teacherPath: teacherPath)
        var job = onPolicyJob(student: student, teacherPath: teacherPath, directory: dir.appendingPathComponent("data"),
                              count: c.teacherConcurrency, seed: 0)
        job.settings.maxTokens = min(c.maxTokens, Self.onPolicyTimingTokens)
        let s = try await job.run()
        let records = try DistillDataset(directory: dataDirectory).records()
        let meanLength = Double(records.map(\.completionTokens.count).reduce(0, +)) / Double(max(records.count, 1))
        let perToken = s.seconds / Double(max(s.generation.completionTokens, 1))
        events(.message(String(format: "on-policy timing: %d samples of %d tokens sampled and scored in %.1f s → %.2f s a sample of %.0f tokens",
                               s.generation.generated, job.settings.maxTokens, s.seconds, perToken * meanLength, meanLength)))
        return perToken * meanLength
    }

    /// A Q8_0 student of the training shape with random weights and the teacher's tokenizer.
    func randomStudent(in dir: URL, teacherPath: URL) throws -> URL {
        let c = configuration
        let teacher = try GGUFFile(path: teacherPath.path)
        let vocabulary = try Tokenizer(gguf: teacher).vocabularySize
        let config = try studentShape().config(vocabularySize: vocabulary, contextLength: c.seq)
        var rng = Xoshiro256StarStar(seed: 1)
        let parameters = (0 ..< ParameterLayout(config).count).map { _ in Float(rng.nextUnit() - 0.5) * 0.1 }
        let tokenizer = teacher.metadataKeys.filter { $0.hasPrefix("tokenizer.") }.compactMap { k in teacher.metadata[k].map { (key: k, value: $0) } }
        let f32 = dir.appendingPathComponent("random-f32.gguf"), q8 = dir.appendingPathComponent("random-q8_0.gguf")
        try PretrainedWeights(config: config, parameters: parameters, tokenizerMetadata: tokenizer).write(to: f32, name: "timing")
        _ = try ModelQuantizer(input: f32.path, output: q8.path, fileType: .q8_0).run(threads: c.threads ?? ThreadPool.physicalCoreCount())
        return q8
    }
}
