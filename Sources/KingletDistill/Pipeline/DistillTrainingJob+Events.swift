import Foundation

extension DistillTrainingJob {
    /// `DistillTrainingJob.run`, its log sent as `.message` events and its final held-out figures
    /// as `.trained`.
    @discardableResult
    public func run(events: @escaping DistillEventHandler) throws -> EvalFigures {
        let r = try run(log: { events(.message($0)) })
        let figures = EvalFigures(valCE: r["val_ce"] as? Double, klToTeacher: r["kl_to_teacher"] as? Double,
                                  top1Agreement: r["top1_agreement"] as? Double, fileBytes: nil)
        events(.trained(name: name, figures: figures, evalFile: runDirectory.appendingPathComponent("eval.json")))
        return figures
    }
}
