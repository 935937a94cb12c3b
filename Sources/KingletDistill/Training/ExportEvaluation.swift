import Foundation
import KingletRuntime
import KingletTraining

/// The distillation figures of an exported GGUF (F32/Q8_0/Q4_0), run by the inference engine on
/// the held-out samples: the numbers a user of the shipped file gets, not the training copy's.
public enum ExportEvaluation {
    /// val_ce, kl_to_teacher, top1_agreement (as `DistillationObjective.evaluate`) for the GGUF at `path`.
    public static func evaluate(gguf path: URL, sequences: [ScoredSequence], store: TeacherScoreStore?, length: Int,
                                threads: Int?) throws -> [String: Double] {
        var options = EngineOptions(threads: threads, contextLength: length)
        options.cachePrecision = .f32
        let engine = try Engine(path: path.path, options: options)
        var tally = DistillationEvalTally()
        let vocab = engine.config.vocabularySize
        for s in sequences {
            let n = min(s.tokens.count - 1, length)
            guard n > 0 else { continue }
            let batch = try DistillBatchSource.batch([s], store: store, length: length)
            var logits = try engine.model.forward(Array(s.tokens[0 ..< n]), state: engine.makeState(), logits: .all)  // [n, V]
            let teacher = batch.teacher ?? TeacherTargets(rows: length, k: 1)
            let unit = batch.weights.map { $0 > 0 ? Float(1) : 0 }   // each counted row once: the mean over rows
            tally.add(rows: n, targets: batch.targets, weights: unit, teacher: teacher) { loss in
                logits.withUnsafeMutableBufferPointer { lb in
                    var ce = 0.0, weight = 0.0
                    for r in 0 ..< n {
                        let (l, wr) = loss.row(r, logits: lb.baseAddress! + r * vocab, vocab: vocab, gradient: false)
                        ce += l * wr
                        weight += wr
                    }
                    return (ce, weight)
                }
            }
        }
        return tally.figures
    }
}
