import ArgumentParser
import Foundation
import KingletDistill

/// `kinglet distill export-data DIR --format jsonl-safetensors OUT`: a dataset's samples and
/// teacher top-k log-probabilities for a PyTorch trainer.
struct DistillExportDataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-data",
        abstract: "Export a dataset's samples and teacher scores for PyTorch (JSONL + safetensors).",
        discussion: """
            Writes OUT/samples.jsonl (messages with the teacher's reply, token ids) and OUT/teacher.safetensors \
            (input_ids, offsets, and per completion position the teacher's top-k ids, log-probabilities and \
            tail mass). scripts/check-export-data.py checks an export against the score files; \
            docs/distill-at-scale.md shows the layout and the way back to GGUF.
            """)

    @Argument(help: "The dataset directory (samples.jsonl, scores/).") var data: String
    @Argument(help: "The export directory (created).") var out: String
    @Option(help: "Export format: \(TeacherDataExport.formats.joined(separator: ", ")).") var format = "jsonl-safetensors"
    @Option(help: "The score files (default: DATA/scores).") var scores: String?

    func validate() throws {
        if !TeacherDataExport.formats.contains(format) {
            throw ValidationError("--format must be one of \(TeacherDataExport.formats.joined(separator: ", "))")
        }
    }

    func run() throws {
        var export = TeacherDataExport(dataDirectory: URL(fileURLWithPath: data), output: URL(fileURLWithPath: out))
        export.scoresDirectory = scores.map { URL(fileURLWithPath: $0) }
        try export.run(events: DistillEventPrinter().handle)
    }
}
