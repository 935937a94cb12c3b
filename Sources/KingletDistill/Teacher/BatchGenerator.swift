import Foundation
import KingletArchitectures
import KingletRuntime

/// Generates many completions at once on one engine: up to `width` sequences decode together,
/// each step evaluating all of them in ONE `model.forward([SequenceInput])` (each sequence's next
/// token, or the next chunk of a newcomer's prompt); a finished sequence's slot takes the next job
/// at once (continuous batching). The per-token logic is `SequenceDecoder`'s, so a job gives the
/// same tokens here as alone through `Engine.run` with the same seed.
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

    private final class Slot {
        let job: Int
        var decoder: SequenceDecoder
        var output = Output()
        init(job: Int, decoder: SequenceDecoder, scoreTopK: Int?) {
            self.job = job
            self.decoder = decoder
            output.scores = scoreTopK.map { PositionScores(k: $0) }
        }
    }

    /// Runs every job; `onEach(index, output)` as each finishes. Stops with `CancellationError`
    /// when `isCancelled` turns true between steps.
    func run(_ jobs: [Job], isCancelled: () -> Bool = { false },
             onEach: (Int, Output) -> Void) throws -> [Output] {
        var results = [Output?](repeating: nil, count: jobs.count)
        var next = 0
        var active: [Slot] = []
        var free: [ModelState] = []
        while next < jobs.count || !active.isEmpty {
            if isCancelled() { throw CancellationError() }
            while active.count < max(1, width), next < jobs.count {
                let state = free.popLast() ?? engine.makeState()
                state.cache.truncate(to: 0)
                let job = jobs[next]
                do {
                    let d = try SequenceDecoder(prompt: job.prompt, parameters: job.parameters, state: state,
                                                tokenizer: engine.tokenizer, logprobs: job.logprobs)
                    active.append(Slot(job: next, decoder: d, scoreTopK: job.scoreTopK))
                } catch {
                    throw TeacherError.generation(reason: "prompt \(next): \(error.localizedDescription)")
                }
                next += 1
            }
            try step(active)
            for s in active where s.decoder.isFinished {
                s.output.finishReason = s.decoder.summary.finishReason
                results[s.job] = s.output
                onEach(s.job, s.output)
                free.append(s.decoder.state)
            }
            active.removeAll { $0.decoder.isFinished }
        }
        return results.map { $0! }
    }

    /// One forward pass over the active sequences (prompt chunks within the step's budget).
    private func step(_ active: [Slot]) throws {
        var inputs: [SequenceInput] = []
        var stepping: [Slot] = []
        var budget = promptTokensPerStep
        for s in active {
            guard let tokens = s.decoder.pendingInput() else { continue }
            if s.decoder.isReadingPrompt {
                if budget <= 0 && !inputs.isEmpty { continue }  // one chunk always goes through
                budget -= tokens.count
            }
            inputs.append(SequenceInput(tokens: tokens, state: s.decoder.state, logits: .last))
            stepping.append(s)
        }
        guard !inputs.isEmpty else { return }
        let logits: [[Float]]
        do { logits = try engine.model.forward(inputs) } catch {
            throw TeacherError.generation(reason: error.localizedDescription)
        }
        var scoring: [(slot: Slot, row: Int)] = []
        for (i, (s, l)) in zip(stepping, logits).enumerated() {
            let r = s.decoder.accept(l)
            if let t = r.token ?? r.endOfGeneration {
                s.output.tokens.append(t)
                // The row that chose t is the teacher's distribution at t's position.
                if s.output.scores != nil { scoring.append((s, i)) }
            }
            if let lp = r.logprob { s.output.logprobs.append(lp) }
            s.output.text += r.text + r.tail
        }
        guard !scoring.isEmpty else { return }
        // Reduce the rows to top k on all threads (each row alone: the result does not depend
        // on which thread takes it), then append in order.
        let rows = scoring.map { logits[$0.row] }, ks = scoring.map { $0.slot.output.scores!.k }
        var reduced = [PositionScores.Row?](repeating: nil, count: rows.count)
        reduced.withUnsafeMutableBufferPointer { out in
            engine.pool.parallelFor(rows.count) { range in
                for i in range { out[i] = PositionScores.Row(logits: rows[i], k: ks[i]) }
            }
        }
        for (i, s) in scoring.enumerated() {
            if let r = reduced[i] { s.slot.output.scores?.append(r) } else { s.slot.output.scores = nil }
        }
    }
}
