import ArgumentParser
import Foundation
import Kinglet
import KingletDistill
import KingletGGUF
import KingletKernels
import KingletTokenizer
import KingletTraining

/// `kinglet prune`: a smaller model cut from a larger one (whole layers and feed-forward
/// channels, ranked on calibration text), written as an F32 GGUF that runs as it is and that
/// `kinglet train --init` / `distill train --init` heal.
struct PruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Cut layers and feed-forward channels out of a llama model, chosen by measured importance.",
        discussion: """
        Importance is measured on calibration text: a layer by how far the model's next-token distribution \
        moves (KL) when that layer alone is skipped, a feed-forward channel by its mean activation. The least \
        important layers and channels go. Writes OUT (F32 GGUF, the source's tokenizer) and OUT.prune.json \
        (what was kept and every measurement).
        """)

    @Argument(help: "The model to prune: a known name or a .gguf path (llama architecture).") var model: String
    @Option(help: "What to keep: layers=N,ffn=M (either may be left out).") var keep: String
    @Option(help: "Calibration text: a text file.") var text: String?
    @Option(help: "Calibration text: a distillation dataset directory (samples.jsonl).") var data: String?
    @Option(help: "Calibration windows (the default is what `distill run` ranks on).") var windows: Int = ModelPruning.defaultWindowCount
    @Option(help: "Tokens per calibration window.") var window: Int = ModelPruning.defaultWindowLength
    @Option(name: .shortAndLong, help: "Output .gguf path.") var output: String
    @Option(name: .shortAndLong, help: "Threads (default: physical cores).") var threads: Int?

    func validate() throws {
        if (text == nil) == (data == nil) { throw ValidationError("give the calibration text with exactly one of --text or --data") }
        if !(1 ... 256).contains(windows) || !(8 ... 4096).contains(window) {
            throw ValidationError("--windows must be in 1…256 and --window in 8…4096")
        }
        try validateThreads(threads)
    }

    func run() async throws {
        try await reportingErrors {
            let spec: PruneSpec
            do { spec = try PruneSpec(parsing: keep) } catch { throw ValidationError("--keep: \(error.localizedDescription)") }
            let path = try ModelStore().resolve(model) { Terminal.status($0) }
            let weights = try PretrainedWeights.load(path)
            let sequences: [[Int32]]
            if let text {
                let tokenizer = try Tokenizer(gguf: GGUFFile(path: path.path))
                sequences = [tokenizer.encode(try String(contentsOfFile: text, encoding: .utf8))]
            } else {
                sequences = try DistillDataset(directory: URL(fileURLWithPath: data!)).scoredSequences().map(\.tokens)
            }
            let calibration = try ModelPruning.windows(from: sequences, length: window, count: windows)
            let pool = try ThreadPool.sized(threads)
            Terminal.status("measuring \(weights.config.layerCount) layers on \(calibration.count)×\(window) tokens")
            let (pruned, plan) = try ModelPruning.prune(weights, spec: spec, windows: calibration, pool: pool)
            let out = URL(fileURLWithPath: output)
            try pruned.write(to: out, name: (weights.name ?? "model") + " pruned \(spec)")
            try plan.write(to: URL(fileURLWithPath: output + ".prune.json"))
            Terminal.status(PruneSummary(plan: plan, before: weights, after: pruned).text)
            Terminal.status("model: \(out.path)")
        }
    }
}

/// The lines `kinglet prune` prints about a plan.
struct PruneSummary {
    let plan: PrunePlan
    let before: PretrainedWeights
    let after: PretrainedWeights

    var text: String {
        let dropped = Set(0 ..< plan.layerDropKL.count).subtracting(plan.keptLayers).sorted()
        var lines = [String(format: "parameters: %.1fM → %.1fM", Double(before.parameters.count) / 1e6, Double(after.parameters.count) / 1e6)]
        lines.append("layers dropped: " + (dropped.isEmpty ? "none" : dropped.map { String(format: "%d (KL %.3f)", $0, plan.layerDropKL[$0]) }
            .joined(separator: ", ")))
        lines.append(String(format: "feed-forward channels kept: %d of %d", after.config.feedForwardSize, before.config.feedForwardSize))
        return lines.joined(separator: "\n")
    }
}
