import ArgumentParser
import Foundation
import Kinglet

struct PerplexityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perplexity",
        abstract: "Perplexity of a model over a text, and KL-divergence against a reference (llama-perplexity's method and figures).",
        discussion: """
        The text is tokenized once and cut into chunks of --context tokens (default 512), each evaluated from an empty \
        cache with BOS first (when the model adds one); the second half of each chunk is scored. The running estimate goes \
        to stderr, the result to stdout. --save-logits keeps the model's distributions as a reference; --compare-logits \
        evaluates this model on a reference's tokens (Kinglet's file or llama-perplexity --kl-divergence-base's) and \
        prints llama.cpp's KL-divergence statistics.
        """)

    enum Format: String, ExpressibleByArgument { case text, json }

    @OptionGroup var model: ModelOptions
    @Option(name: .shortAndLong, help: "The text file (UTF-8).") var file: String?
    @Option(name: .shortAndLong, help: "Tokens per forward pass (default: --context; 2 × --context or more evaluates chunks side by side).") var batch: Int?
    @Option(help: "Evaluate at most this many chunks.") var chunks: Int?
    @Option(name: .customLong("save-logits"), help: "Save the distributions to this file, as a reference for --compare-logits.") var saveLogits: String?
    @Option(name: .customLong("top-k"), help: "With --save-logits: keep each position's K most likely tokens and the tail's mass (default: every token, 16 bits each).") var topK: Int?
    @Option(name: .customLong("compare-logits"), help: "Compare with the reference distributions in this file (Kinglet's or llama.cpp's --kl-divergence-base).") var compareLogits: String?
    @Option(name: [.customShort("o"), .long], help: "Output: text or json.") var output: Format = .text

    func validate() throws {
        if file == nil && compareLogits == nil { throw ValidationError("--file is required (it may be left out only with --compare-logits)") }
        if saveLogits != nil && compareLogits != nil { throw ValidationError("--save-logits and --compare-logits do not go together: save with the reference model, compare with the other") }
        if topK != nil && saveLogits == nil { throw ValidationError("--top-k goes with --save-logits") }
        if let k = topK, k < 1 { throw ValidationError("--top-k must be ≥ 1") }
        if let b = batch, b < 1 { throw ValidationError("--batch must be ≥ 1") }
        if let c = chunks, c < 1 { throw ValidationError("--chunks must be ≥ 1") }
    }

    func run() async throws {
        try await reportingErrors {
            let text = try file.map { path in
                do { return try String(contentsOfFile: path, encoding: .utf8) } catch { throw CLIError(text: "cannot read --file \(path): \(error.localizedDescription)") }
            }
            let reference = try compareLogits.map { try LogitsFileReader(path: $0) }
            if let reference, let c = model.context, c != reference.header.context {
                throw CLIError(text: "--context \(c) differs from the context \(reference.header.context) of --compare-logits \(reference.path); drop --context")
            }
            let context = reference?.header.context ?? model.context ?? 512
            let path = try ModelStore().resolve(model.model) { Terminal.status($0) }
            var options = EngineOptions(threads: model.threads, contextLength: context)
            options.cachePrecision = model.kvCache
            let engine = try ModelOptions.loadEngine(path: path.path, options: options)
            let perplexity = try Perplexity(engine: engine, options: PerplexityOptions(context: context, batch: batch, chunks: reference == nil ? chunks : nil))
            let report = PerplexityReport(format: output)
            if let reference {
                let comparison = try LogitsComparison(perplexity: perplexity, reference: reference)
                if let text { try comparison.check(text: text) }
                report.comparisonHeader(reference.header, path: reference.path)
                let result = try comparison.run(progress: report.progress)
                report.comparison(result)
            } else if let text, let saveLogits {
                let storage: LogitsFileHeader.Storage = topK.map { .topK($0) } ?? .full
                let result = try perplexity.saveLogits(text: text, to: saveLogits, storage: storage, progress: report.progress)
                report.perplexity(result, saved: (saveLogits, storage))
            } else if let text {
                let result = try perplexity.run(perplexity.tokens(for: text), progress: report.progress)
                report.perplexity(result, saved: nil)
            }
        }
    }
}
