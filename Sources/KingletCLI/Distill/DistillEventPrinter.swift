import Foundation
import KingletDistill

/// What `kinglet distill` prints (on stderr) for the events of its steps: one place for every
/// line, whether a step runs alone (`distill generate`, ...) or inside `distill run`.
final class DistillEventPrinter: Sendable {
    private let meter = ProgressLine()

    func handle(_ event: DistillEvent) {
        switch event {
        case .stage(let stage):
            Terminal.status(Self.heading(stage))
        case let .planned(plan, budgetMinutes, file):
            Terminal.status(String(format: "== budget: %.1f of %.0f minutes left for %d runs; a step takes %.2f s → %d steps each (%@)",
                                   plan.secondsLeft / 60, budgetMinutes, plan.runs, plan.stepSeconds, plan.steps, file.path))
            if let onPolicy = plan.onPolicy { Terminal.status("   " + onPolicy.explanation(steps: plan.steps)) }
        case .message(let line):
            Terminal.status(line)
        case let .teacherLoaded(file, seconds, threads, concurrency):
            Terminal.status(String(format: "loaded %@ in %.2f s (%d threads, %d sequences per step)", file, seconds, threads, concurrency))
        case let .generationStarted(teacher, prompts, samples):
            Terminal.status("teacher \(teacher): \(prompts) prompts → \(samples.path)")
        case let .scoringWhileGenerating(k, directory):
            Terminal.status("scoring as it generates: top \(k) log-probabilities per position → \(directory.path)")
        case let .shardSelected(shard, items, total):
            Terminal.status("shard \(shard): \(items) of the job's \(total) items")
        case let .merged(shards, items, files, directory):
            Terminal.status("merged \(shards) shard(s): \(items) items, \(files) score file(s) → \(directory.path)")
        case let .exported(samples, scored, files):
            Terminal.status("exported \(samples) samples (\(scored) with teacher scores) → \(files.map(\.path).joined(separator: ", "))")
        case .generationProgress(let p):
            meter.update(p)
        case .generated(let s):
            meter.finish()
            generated(s)
        case let .scoringStarted(sequences, alreadyScored, threads, k, directory):
            Terminal.status("\(sequences) sequences, \(alreadyScored) already scored, \(sequences - alreadyScored) to score "
                            + "with \(threads) threads, k = \(k) → \(directory.path)")
        case let .scoringProgress(done, total, positions, seconds):
            Terminal.status(String(format: "%d/%d sequences, %d positions, %.1f positions/s", done, total, positions,
                                   Double(positions) / max(seconds, 1e-9)))
        case let .scored(shards, sequences, directory):
            Terminal.status("wrote \(shards) shard(s); \(sequences) sequences scored in \(directory.path)")
        case let .trained(_, f, evalFile):
            Terminal.status(String(format: "held-out: CE %.4f, KL to teacher %.4f, top-1 agreement %.3f → %@",
                                   f.valCE ?? .nan, f.klToTeacher ?? .nan, f.top1Agreement ?? .nan, evalFile.path))
        case let .reportWritten(html, json):
            Terminal.status("wrote \(html.path) and \(json.path)")
        }
    }

    private func generated(_ s: DistillSummary) {
        if s.truncatedBytes > 0 { Terminal.status("cut off a torn last line (\(s.truncatedBytes) bytes) left by an interrupted run") }
        let reasons = s.finishReasons.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        if s.pending > 0 { Terminal.status("stopped at --max-minutes with \(s.pending) prompts left; run again to continue") }
        Terminal.status("done: \(s.generated) generated, \(s.cached) already in the dataset (\(s.distinct) distinct of \(s.prompts) prompts)")
        if s.generated > 0 {
            Terminal.status(String(format: "  %.1f completions/min, %.1f tokens/s, %d completion tokens in %@; finish: %@",
                                   s.completionsPerMinute, s.tokensPerSecond, s.completionTokens, ProgressLine.duration(s.seconds), reasons))
        }
        if s.unscored > 0 {
            Terminal.status("  \(s.unscored) of them came without teacher scores (a remote reply whose tokens the server did not name "
                            + "in the local tokenizer's terms, or a row that was not finite); `kinglet distill score` scores them, "
                            + "else training uses cross-entropy alone for them")
        }
    }

    static func heading(_ stage: DistillStage) -> String {
        switch stage {
        case .generate: return "== 1/4 teacher samples"
        case .score: return "== 2/4 teacher scores"
        case .prune: return "== 2/4 student pruned from the teacher"
        case let .train(kind, seed): return "== 3/4 train \(kind.rawValue) seed \(seed)"
        case let .alreadyTrained(kind, seed): return "== 3/4 \(kind.rawValue) seed \(seed): done earlier"
        case .report: return "== 4/4 report"
        }
    }
}
