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
        var ce = 0.0, weight = 0.0, klSum = 0.0, agreeSum = 0.0, teacherRows = 0.0
        let vocab = engine.config.vocabularySize
        for s in sequences {
            let n = min(s.tokens.count - 1, length)
            guard n > 0 else { continue }
            let batch = try DistillBatchSource.batch([s], store: store, length: length)
            var logits = try engine.model.forward(Array(s.tokens[0 ..< n]), state: engine.makeState(), logits: .all)  // [n, V]
            let teacher = batch.extra as? TeacherTargets ?? TeacherTargets(rows: length, k: 1)
            var kl = [Double](repeating: .nan, count: n), agree = [Double](repeating: -1, count: n)
            let unit = batch.weights.map { $0 > 0 ? Float(1) : 0 }   // each counted row once; the mean is taken below
            batch.targets.withUnsafeBufferPointer { t in
                unit.withUnsafeBufferPointer { wb in
                    teacher.withView { view in
                        kl.withUnsafeMutableBufferPointer { klb in
                            agree.withUnsafeMutableBufferPointer { ab in
                                logits.withUnsafeMutableBufferPointer { lb in
                                    let loss = DistillationEvalLoss(targets: t.baseAddress!, weights: wb.baseAddress!, teacher: view,
                                                                    kl: klb.baseAddress!, agree: ab.baseAddress!)
                                    for r in 0 ..< n {
                                        let (l, wr) = loss.row(r, logits: lb.baseAddress! + r * vocab, vocab: vocab, gradient: false)
                                        ce += l * wr
                                        weight += wr
                                    }
                                }
                            }
                        }
                    }
                }
            }
            for j in 0 ..< n where agree[j] >= 0 {
                klSum += kl[j]
                agreeSum += agree[j]
                teacherRows += 1
            }
        }
        return ["val_ce": weight > 0 ? ce / weight : .nan,
                "kl_to_teacher": teacherRows > 0 ? klSum / teacherRows : .nan,
                "top1_agreement": teacherRows > 0 ? agreeSum / teacherRows : .nan]
    }
}
