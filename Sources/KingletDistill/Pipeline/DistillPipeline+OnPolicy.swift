import Foundation
import KingletTraining

/// On-policy distillation inside `DistillPipeline.run` (`Configuration.onPolicyRatio` λ > 0): the
/// KD run of each seed trains in rounds (`OnPolicyRounds`); its baseline trains as at λ = 0.
///
///     RUN/onpolicy-roundN/   student-TYPE.gguf (the checkpoint that sampled, as the run ships it:
///                            rounded to the teacher's type when the run trains on rounded weights,
///                            else Q8_0), samples.jsonl, scores/
///     RUN/onpolicy-rounds.json   the finished rounds: step, samples, seconds
extension DistillPipeline {
    /// Trains one run of the pipeline: a KD run with λ > 0 in on-policy rounds, any other with `train`.
    @discardableResult
    public func trainRun(_ kind: DistillTrainingJob.Kind, seed: Int, steps: Int,
                         events: @escaping DistillEventHandler = { _ in }) async throws -> EvalFigures {
        guard kind == .kd, configuration.onPolicyRatio > 0 else { return try train(kind, seed: seed, steps: steps, events: events) }
        let teacherPath = try store.resolve(configuration.teacher) { events(.message($0)) }
        let run = runDirectory(.kd, seed: seed)
        let boundaries = OnPolicyRounds.boundaries(steps: steps, count: configuration.onPolicyRounds)
        var record = OnPolicyRounds.saved(in: run) ?? OnPolicyRounds(ratio: configuration.onPolicyRatio)
        for (i, step) in boundaries.enumerated() where !record.rounds.contains(where: { $0.round == i + 1 }) {
            // Train (resuming) up to the round's step on the mix of the round before, if any.
            if try DistillTrainingJob.checkpointStep(in: run) ?? 0 < step {
                var job = try trainingJob(.kd, seed: seed, steps: steps, teacherPath: teacherPath)
                job.onPolicy = mix(of: record, in: run)
                job.stopAtStep = min(step, stopKDAtStep ?? step)
                do {
                    try job.run(events: events)
                } catch DistillTrainingError.interrupted {
                    // Paused where the round samples, unless Ctrl-C (or a test's stop) came first.
                    let paused = try DistillTrainingJob.checkpointStep(in: run) == step
                    guard paused, !StopSignal.isRequested, stopKDAtStep != step else { throw DistillTrainingError.interrupted(run) }
                }
            }
            let round = try await onPolicyRound(i + 1, seed: seed, step: step, next: i + 1 < boundaries.count ? boundaries[i + 1] : steps,
                                                run: run, teacherPath: teacherPath, events: events)
            record.rounds.append(round)
            try record.save(in: run)
        }
        var job = try trainingJob(.kd, seed: seed, steps: steps, teacherPath: teacherPath)
        job.onPolicy = mix(of: record, in: run)
        job.stopAtStep = stopKDAtStep
        return try job.run(events: events)
    }

    /// The mix after the last finished round (nil before the first, or when its time cap left it no scored sample).
    func mix(of record: OnPolicyRounds, in run: URL) -> OnPolicyMix? {
        guard let last = record.rounds.last, last.scored > 0 else { return nil }
        return OnPolicyMix(dataDirectory: OnPolicyRounds.directory(in: run, round: last.round), ratio: record.ratio)
    }

    /// One round at `step`: the run's checkpoint exported as the student ships (rounded to the
    /// type its steps train for, whose rounding is the exporter's bit for bit, so it samples as the
    /// model training sees; else Q8_0), its samples for about as many training prompts as the mix
    /// draws on-policy rows before step `next`, and the teacher's scores of them (`OnPolicyJob`,
    /// which resumes an interrupted try).
    func onPolicyRound(_ round: Int, seed: Int, step: Int, next: Int, run: URL, teacherPath: URL,
                       events: @escaping DistillEventHandler) async throws -> OnPolicyRounds.Round {
        let c = configuration
        let started = Date()
        let dir = OnPolicyRounds.directory(in: run, round: round)
        let rounded = roundedType(teacherPath: teacherPath)
        let student = dir.appendingPathComponent("student-\(rounded?.rawValue.lowercased() ?? "q8_0").gguf")
        if !FileManager.default.fileExists(atPath: student.path) {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let checkpoint = run.appendingPathComponent(TrainingCheckpoint.fileName), name = "\(run.lastPathComponent) step \(step)"
            let partial = dir.appendingPathComponent("student.tmp.gguf")
            if let rounded {
                try GGUFExporter.export(checkpoint: checkpoint, to: partial, quantizedAs: rounded, name: name, threads: c.threads)
            } else {
                try GGUFExporter.export(checkpoint: checkpoint, to: partial, type: .q8_0, name: name, threads: c.threads)
            }
            try FileManager.default.moveItem(at: partial, to: student)
        }
        let count = OnPolicyRounds.samples(ratio: c.onPolicyRatio, batch: c.effectiveBatch, stepsUntilNext: next - step)
        var job = onPolicyJob(student: student, teacherPath: teacherPath, directory: dir, count: count,
                              seed: UInt64(seed) << 32 | UInt64(round))
        // With a budget, a round that runs far past its planned share stops early (its samples so far are used).
        job.maxMinutes = DistillBudget.saved(in: directory)?.onPolicy.map { 2 * Double(count) * $0.sampleSeconds / 60 }
        events(.message("\(run.lastPathComponent): paused at step \(step) for on-policy round \(round): the student samples \(count) prompts, the teacher scores them"))
        let s = try await job.run(events: events)
        let r = OnPolicyRounds.Round(round: round, step: step, prompts: s.prompts, samples: s.generation.cached + s.generation.generated,
                                     scored: s.scoring.scored, complete: s.complete, seconds: Date().timeIntervalSince(started))
        events(.message(String(format: "%@: on-policy round %d: %d samples, %d scored in %.1f s", run.lastPathComponent, round,
                               r.samples, r.scored, r.seconds)))
        return r
    }

    /// `OnPolicyJob` as the pipeline runs it: the student at temperature 1 on the teacher
    /// dataset's training prompts, completions as long as the teacher's, scored with its top-k.
    func onPolicyJob(student: URL, teacherPath: URL, directory: URL, count: Int, seed: UInt64) -> OnPolicyJob {
        let c = configuration
        var job = OnPolicyJob(student: student.path, teacher: teacherPath.path, teacherDataDirectory: dataDirectory,
                              directory: directory, count: count, seed: seed)
        job.settings.maxTokens = c.maxTokens
        job.validationFraction = c.validationFraction
        job.concurrency = c.teacherConcurrency
        job.topK = c.scoreTopK
        job.threads = c.threads
        job.store = store
        return job
    }
}
