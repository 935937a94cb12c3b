import ArgumentParser
import Foundation
import Kinglet

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure prompt processing and generation speed (llama-bench style).")

    enum Format: String, ExpressibleByArgument { case md, json }

    @Option(name: .shortAndLong, help: "A known model name or a path to a .gguf file.")
    var model: String?
    @Option(name: .customShort("p"), help: "Prompt tokens for the pp test (0: skip).") var prompt: Int = 512
    @Option(name: .customShort("n"), help: "Generated tokens for the tg test (0: skip).") var generate: Int = 128
    @Option(name: .customShort("t"), help: "Threads (default: physical cores).") var threads: Int?
    @Option(name: .customShort("r"), help: "Repetitions (after one warm-up).") var repetitions: Int = 5
    @Option(name: [.customShort("b"), .long], help: "Prompt batch size.") var batchSize: Int = 512
    @Option(name: [.customShort("o"), .long], help: "Output: md or json.") var output: Format = .md

    func validate() throws {
        if prompt < 0 || generate < 0 { throw ValidationError("-p and -n must be ≥ 0") }
        if repetitions < 1 { throw ValidationError("-r must be ≥ 1") }
        if let t = threads, t < 1 || t > 256 { throw ValidationError("-t must be between 1 and 256") }
        if batchSize < 1 { throw ValidationError("-b must be ≥ 1") }
    }

    func run() async throws {
        try await reportingErrors {
            let path = try ModelStore().resolve(model) { Terminal.status($0) }
            // The benchmark needs room for the longest test only.
            let context = max(prompt, generate) + 1
            let engine = try ModelOptions.loadEngine(path: path.path, options: EngineOptions(threads: threads, contextLength: context))
            var results: [BenchmarkResult] = []
            if prompt > 0 { results.append(try engine.benchmarkPrompt(tokens: prompt, repetitions: repetitions, batchSize: batchSize)) }
            if generate > 0 { results.append(try engine.benchmarkGeneration(tokens: generate, repetitions: repetitions)) }
            let size = (try? FileManager.default.attributesOfItem(atPath: path.path)[.size] as? Int) ?? 0
            let name = engine.gguf.metadata["general.name"]?.stringValue ?? path.lastPathComponent
            let type = engine.model.weightSummary
            let params = engine.config.parameterCount(tiedOutput: engine.gguf.tensorIfPresent("output.weight") == nil)
            switch output {
            case .md:
                print("| model | size | params | kernels | threads | test | t/s |")
                print("| --- | ---: | ---: | --- | ---: | ---: | ---: |")
                for r in results {
                    print(String(format: "| %@ (%@) | %.2f MiB | %.2f M | %@ | %d | %@ | %.2f ± %.2f |",
                                 name, type, Double(size) / 1048576, Double(params) / 1e6, Kernels.backendDescription,
                                 engine.pool.threadCount, r.test, r.tokensPerSecond, r.stddev))
                }
            case .json:
                let objects: [[String: Any]] = results.map { r in
                    ["model": name, "model_type": type, "model_size": size, "model_n_params": params,
                     "kernels": Kernels.backendDescription, "n_threads": engine.pool.threadCount,
                     "test": r.test, "n_prompt": r.test.hasPrefix("pp") ? r.tokens : 0,
                     "n_gen": r.test.hasPrefix("tg") ? r.tokens : 0,
                     "tokens_per_second": r.tokensPerSecond, "stddev": r.stddev, "samples_ts": r.samples]
                }
                let data = try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            }
        }
    }
}
