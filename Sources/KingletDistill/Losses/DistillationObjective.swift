import Foundation
import KingletTraining

/// The training objective of a distillation run: batches carry `TeacherTargets` in `extra`; the
/// loss is `DistillationLoss` (α = 0: plain cross-entropy on the teacher's samples — the baseline).
/// Evaluation reports held-out CE, KL to the teacher and top-1 agreement.
public struct DistillationObjective: TrainingObjective {
    public let settings: DistillationSettings

    public init(settings: DistillationSettings) { self.settings = settings }

    public func train(_ model: TrainableLlama, _ batch: TrainingBatch) throws -> (loss: Double, weight: Double) {
        let teacher = batch.teacher ?? TeacherTargets(rows: batch.inputs.count, k: 1)
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
        var tally = DistillationEvalTally()
        for batch in batches {
            let teacher = batch.teacher ?? TeacherTargets(rows: batch.inputs.count, k: 1)
            tally.add(rows: batch.inputs.count, targets: batch.targets, weights: batch.weights, teacher: teacher) { loss in
                batch.inputs.withUnsafeBufferPointer { i in
                    model.evaluate(tokens: i.baseAddress!, batch: batch.batch, length: batch.length, loss: loss)
                }
            }
        }
        return tally.figures
    }
}
