import Foundation
import KingletTraining

/// The training objective of a distillation run: batches carry `TeacherTargets` in `extra`; the
/// loss is `DistillationLoss` (α = 0: plain cross-entropy on the teacher's samples — the baseline).
/// Evaluation reports held-out CE, KL to the teacher and top-1 agreement.
public struct DistillationObjective: TrainingObjective {
    public let settings: DistillationSettings

    public init(settings: DistillationSettings) { self.settings = settings }

    public func train(_ model: TrainableLlama, _ batch: TrainingBatch) throws -> (loss: Double, weight: Double) {
        let teacher = batch.extra as? TeacherTargets ?? TeacherTargets(rows: batch.inputs.count, k: 1)
        return batch.inputs.withUnsafeBufferPointer { i in
            batch.targets.withUnsafeBufferPointer { t in
                batch.weights.withUnsafeBufferPointer { w in
                    teacher.withView { view in
                        let loss = DistillationLoss(settings: settings, targets: t.baseAddress!, weights: w.baseAddress!, teacher: view)
                        return model.trainStep(tokens: i.baseAddress!, batch: batch.batch, length: batch.length, loss: loss)
                    }
                }
            }
        }
    }

    public func evaluate(_ model: TrainableLlama, _ batches: [TrainingBatch]) throws -> [String: Double] {
        Self.evaluate(model, batches)
    }

    public var headlineMetric: String { "val_ce" }

    /// val_ce (mean CE over counted rows), kl_to_teacher and top1_agreement (means over rows with teacher data).
    public static func evaluate(_ model: TrainableLlama, _ batches: [TrainingBatch]) -> [String: Double] {
        var ce = 0.0, weight = 0.0, klSum = 0.0, agreeSum = 0.0, teacherRows = 0.0
        for batch in batches {
            let n = batch.inputs.count
            let teacher = batch.extra as? TeacherTargets ?? TeacherTargets(rows: n, k: 1)
            var kl = [Double](repeating: .nan, count: n), agree = [Double](repeating: -1, count: n)
            let r = batch.inputs.withUnsafeBufferPointer { i in
                batch.targets.withUnsafeBufferPointer { t in
                    batch.weights.withUnsafeBufferPointer { w in
                        teacher.withView { view in
                            kl.withUnsafeMutableBufferPointer { klb in
                                agree.withUnsafeMutableBufferPointer { ab in
                                    model.evaluate(tokens: i.baseAddress!, batch: batch.batch, length: batch.length,
                                                   loss: DistillationEvalLoss(targets: t.baseAddress!, weights: w.baseAddress!, teacher: view,
                                                                              kl: klb.baseAddress!, agree: ab.baseAddress!))
                                }
                            }
                        }
                    }
                }
            }
            ce += r.loss
            weight += r.weight
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
