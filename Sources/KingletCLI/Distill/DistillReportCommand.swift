import ArgumentParser
import Foundation
import KingletDistill

/// `kinglet distill report RUN_DIRS... --out report.html`: compares distillation runs with their
/// baselines in a self-contained HTML page, with the same numbers in report.json beside it.
/// Registered under `distill` by the parent command.
struct DistillReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Compare distillation and baseline runs: an HTML page with charts and tables, and a JSON summary.")

    @Argument(help: "Run directories written by the trainer (run.json, metrics.jsonl, eval.json).") var runs: [String]
    @Option(name: .shortAndLong, help: "The HTML page to write; the JSON goes beside it with a .json extension.")
    var out: String = "report.html"
    @Option(name: .customLong("teacher-figures"),
            help: "The teacher's own figures (tg128, size, perplexity of its answers), as `distill run` keeps them in OUT/teacher.json.")
    var teacherFigures: String?

    func validate() throws {
        if runs.isEmpty { throw ValidationError("give at least one run directory") }
    }

    func run() throws {
        try DistillReport.write(runDirectories: runs.map { URL(fileURLWithPath: $0) }, html: URL(fileURLWithPath: out),
                                teacherFigures: teacherFigures.map { URL(fileURLWithPath: $0) },
                                events: DistillEventPrinter().handle)
    }
}
