import Foundation
import KingletRuntime

/// Generates many completions at once on one engine: up to `width` sequences decode together
/// through a `BatchStepper` (one forward pass per step over all of them); a finished sequence's
/// slot takes the next job at once (continuous batching). A job gives the same tokens here as
/// alone through `Engine.run` with the same seed. This type adds the teacher's part: the job
/// list, collected outputs and top-k scores of every completion position.
///
/// Synchronous: it runs on the caller's thread, which must be the only user of the engine's model.
struct BatchGenerator {
    /// One completion to generate.
    struct Job {
        var prompt: [Int32]
        var parameters: GenerateParameters
        /// Alternatives per token to report (nil: no logprobs).
        var logprobs: Int?
        /// Keep the top k log-probabilities of every completion position (nil: none).
        var scoreTopK: Int? = nil
    }

    /// What a job produced.
    struct Output {
        /// The sampled ids, with the end-of-generation token last when it ended the sequence.
        var tokens: [Int32] = []
        var text = ""
        var finishReason: FinishReason = .length
        /// One per entry of `tokens`, when asked for.
        var logprobs: [TokenLogprob] = []
        /// One position per entry of `tokens`, when asked for (nil also when a row was not finite).
        var scores: PositionScores?
    }

    let engine: Engine
    /// Sequences decoded at once.
    let width: Int
    /// Prompt tokens evaluated per step across newcomers (bounds how long decoding sequences wait).
    var promptTokensPerStep = 512

    /// Runs every job; `onEach(index, output)` as each finishes. Stops with `CancellationError`
    /// when `isCancelled` turns true between steps.
    func run(_ jobs: [Job], isCancelled: () -> Bool = { false },
             onEach: (Int, Output) -> Void) throws -> [Output] {
        let stepper = BatchStepper<Int>(engine: engine, width: width, promptTokensPerStep: promptTokensPerStep)
        var outputs = jobs.map { Output(scores: $0.scoreTopK.map { PositionScores(k: $0) }) }
        var next = 0
        while next < jobs.count || !stepper.isIdle {
            if isCancelled() { throw CancellationError() }
            while stepper.hasFreeSlot, next < jobs.count {
                let job = jobs[next]
                do {
                    try stepper.admit(next, prompt: job.prompt, parameters: job.parameters, logprobs: job.logprobs)
                } catch {
                    throw TeacherError.generation(reason: "prompt \(next): \(error.localizedDescription)")
                }
                next += 1
            }
            let report = stepper.step()
            if let failure = report.failure {
                throw TeacherError.generation(reason: failure.error.localizedDescription)
            }
            var scoring: [(job: Int, logits: [Float])] = []
            for u in report.updates {
                let r = u.step
                if let t = r.token ?? r.endOfGeneration {
                    outputs[u.job].tokens.append(t)
                    // The row that chose t is the teacher's distribution at t's position.
                    if outputs[u.job].scores != nil, let row = u.logits { scoring.append((u.job, row)) }
                }
                if let lp = r.logprob { outputs[u.job].logprobs.append(lp) }
                outputs[u.job].text += r.text + r.tail
            }
            score(scoring, into: &outputs)
            for u in report.updates where u.step.finished != nil {
                outputs[u.job].finishReason = u.summary.finishReason
                onEach(u.job, outputs[u.job])
            }
        }
        return outputs
    }

    /// Reduces the rows to top k on all threads (each row alone: the result does not depend on
    /// which thread takes it), then appends them in order.
    private func score(_ scoring: [(job: Int, logits: [Float])], into outputs: inout [Output]) {
        guard !scoring.isEmpty else { return }
        let ks = scoring.map { outputs[$0.job].scores!.k }
        var reduced = [PositionScores.Row?](repeating: nil, count: scoring.count)
        reduced.withUnsafeMutableBufferPointer { out in
            engine.pool.parallelFor(scoring.count) { range in
                for i in range { out[i] = PositionScores.Row(logits: scoring[i].logits, k: ks[i]) }
            }
        }
        for (i, s) in scoring.enumerated() {
            if let r = reduced[i] { outputs[s.job].scores?.append(r) } else { outputs[s.job].scores = nil }
        }
    }
}
