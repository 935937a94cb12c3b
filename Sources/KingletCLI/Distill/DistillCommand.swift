import ArgumentParser

/// `kinglet distill`: train a small student on a larger teacher's outputs, in stages.
struct DistillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distill",
        abstract: "Distillation: generate a teacher dataset, then train a student on it.",
        subcommands: [DistillRunCommand.self, DistillGenerateCommand.self, DistillScoreCommand.self, DistillTrainCommand.self,
                      DistillOnPolicyCommand.self, DistillReportCommand.self, DistillMergeCommand.self, DistillExportDataCommand.self])
}
