import Foundation
import KingletGGUF
import KingletTraining

extension DistillTrainingJob {
    /// The trainer's stop test for `stopAtStep`: true once the loop reaches that step (counted
    /// from the checkpoint's step when resuming), or when Ctrl-C asked; nil without `stopAtStep`.
    func stopCondition() throws -> (() -> Bool)? {
        guard let stopAtStep else { return nil }
        let counter = StepCounter(resume ? try Self.checkpointStep(in: runDirectory) ?? 0 : 0)
        return {
            defer { counter.step += 1 }
            return StopSignal.isRequested || counter.step >= stopAtStep
        }
    }

    /// The step of `run/checkpoint.gguf` (its metadata only), nil when there is none.
    public static func checkpointStep(in run: URL) throws -> Int? {
        let url = run.appendingPathComponent(TrainingCheckpoint.fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let file: GGUFFile
        do { file = try GGUFFile(path: url.path) } catch { throw CheckpointError.unreadable(path: url.path, reason: error.localizedDescription) }
        guard let step = file.metadata["kinglet.train.step"]?.intValue else {
            throw CheckpointError.missing(path: url.path, what: "kinglet.train.step")
        }
        return step
    }
}

/// The loop's step as the stop test sees it (asked once before each step).
private final class StepCounter {
    var step: Int
    init(_ step: Int) { self.step = step }
}
