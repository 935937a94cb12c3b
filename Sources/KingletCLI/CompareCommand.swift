import ArgumentParser
import Foundation
import Kinglet

struct CompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Measure several models the same way and write a side-by-side report (HTML with charts, and JSON).",
        discussion: """
        For each model: file size, load time, peak resident memory while generating, pp and tg speed (the models \
        alternate between repetitions, so machine noise hits all alike), perplexity and bits per byte on --file; against \
        the reference (--reference, default the first model): mean KL-divergence, its 99th percentile, same-top-token \
        share, RMS Δp, and greedy continuations of a few prompts with their first divergence marked. Models with another \
        vocabulary get no KL-divergence; bits per byte compares them. Writes --out (HTML) and report.json beside it.
        """)

    @Argument(help: "Models: known names or .gguf paths (at least two).") var models: [String]
    @Option(name: .shortAndLong, help: "The text for perplexity and KL-divergence (UTF-8).") var file: String
    @Option(help: "The model the others are held to (a name or path among the models; default: the first).") var reference: String?
    @Option(help: "The HTML report to write; report.json goes beside it.") var out: String = "report.html"
    @Option(name: .shortAndLong, help: "Perplexity context (tokens per chunk).") var context: Int = 512
    @Option(help: "Evaluate at most this many perplexity chunks.") var chunks: Int?
    @Option(name: .customShort("p"), help: "Prompt tokens for the pp test.") var prompt: Int = 512
    @Option(name: .customShort("n"), help: "Generated tokens for the tg test.") var generate: Int = 128
    @Option(name: .customShort("r"), help: "Repetitions of each speed test (after one warm-up round).") var repetitions: Int = 3
    @Option(name: .customShort("t"), help: "Threads (default: physical cores).") var threads: Int?
    @Option(name: .customLong("continue"), help: "A prompt every model continues greedily (repeat for several; default: three built-in prompts).")
    var prompts: [String] = []
    @Option(help: "Tokens per greedy continuation.") var continuationTokens: Int = 32

    func validate() throws {
        guard models.count >= 2 else { throw ValidationError("give at least two models to compare") }
        if let reference, !models.contains(reference) { throw ValidationError("--reference \(reference) is not among the models") }
        if context < 4 { throw ValidationError("--context must be ≥ 4") }
        if let c = chunks, c < 1 { throw ValidationError("--chunks must be ≥ 1") }
        if prompt < 1 || generate < 1 { throw ValidationError("-p and -n must be ≥ 1") }
        try validateThreads(threads, flag: "-t")
        if repetitions < 1 { throw ValidationError("-r must be ≥ 1") }
        if continuationTokens < 1 { throw ValidationError("--continuation-tokens must be ≥ 1") }
    }

    func run() async throws {
        try await reportingErrors {
            let text: String
            do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
                throw CLIError(text: "cannot read --file \(file): \(error.localizedDescription)")
            }
            let store = ModelStore()
            let paths = try models.map { try store.resolve($0) { Terminal.status($0) }.path }
            var options = ComparisonOptions()
            options.context = context
            options.chunks = chunks
            options.promptTokens = prompt
            options.generationTokens = generate
            options.repetitions = repetitions
            options.threads = threads
            options.continuationTokens = continuationTokens
            if !prompts.isEmpty { options.prompts = prompts }
            let comparison = Comparison(models: paths, reference: reference.flatMap(models.firstIndex(of:)) ?? 0, text: text,
                                        textFile: file, options: options)
            comparison.command = (["kinglet"] + CommandLine.arguments.dropFirst()).map(Self.shellQuoted).joined(separator: " ")
            let report = try comparison.run(progress: { p in
                switch p {
                case .loading(let m): Terminal.status("loading \(m)")
                case .speed(let round, let of, let m): Terminal.status(round == 0 ? "warm-up: \(m)" : "speed \(round)/\(of): \(m)")
                case .perplexity(let m, let chunk, let of): Terminal.status("perplexity \(m): chunk \(chunk)/\(of)")
                case .continuations(let m): Terminal.status("continuations: \(m)")
                }
            })
            let html = URL(fileURLWithPath: out)
            let json = html.deletingLastPathComponent().appendingPathComponent("report.json")
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            do {
                try Data(ComparisonPage(report).html.utf8).write(to: html, options: .atomic)
                try encoder.encode(report).write(to: json, options: .atomic)
            } catch {
                throw CLIError(text: "cannot write --out \(out): \(error.localizedDescription)")
            }
            print("| model | file MB | peak MB | pp\(prompt) t/s | tg\(generate) t/s | PPL | bits/byte | mean KLD | same top |")
            print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
            for m in report.models {
                let kld = m.divergence.map { String(format: "%.5f ± %.5f", $0.meanKLD.value, $0.meanKLD.uncertainty) } ?? (m.isReference ? "reference" : "–")
                let top = m.divergence.map { String(format: "%.2f%%", 100 * $0.sameTop.value) } ?? "–"
                print(String(format: "| %@ | %.1f | %@ | %.1f ± %.1f | %.1f ± %.1f | %.3f ± %.3f | %.4f | %@ | %@ |",
                             URL(fileURLWithPath: m.path).lastPathComponent, Double(m.fileBytes) / 1_048_576,
                             m.peakResidentBytes.map { String(format: "%.1f", Double($0) / 1_048_576) } ?? "–",
                             m.promptTokensPerSecond.value, m.promptTokensPerSecond.uncertainty,
                             m.generationTokensPerSecond.value, m.generationTokensPerSecond.uncertainty,
                             m.perplexity.value, m.perplexity.uncertainty, m.bitsPerByte, kld, top))
            }
            print("wrote \(html.path) and \(json.path)")
        }
    }

    static func shellQuoted(_ s: String) -> String {
        s.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:@,+".contains($0) } ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
