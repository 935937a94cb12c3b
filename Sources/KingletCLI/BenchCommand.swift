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
    @Option(name: [.customShort("d"), .long], help: "Tokens already in the cache before each test (untimed).") var depth: Int = 0
    @Flag(name: .customLong("no-bandwidth"), help: "Skip measuring memory read bandwidth (and tg's fraction of the bound it sets).")
    var skipBandwidth = false
    @Option(name: .customLong("kv-cache"),
            help: "KV cache types, comma-separated (f16, f32, q8_0, q4_0); several alternate within each repetition.")
    var kvCache: String = "f16"

    /// The cache types `--kv-cache` names, in order.
    var precisions: [KVCache.Precision] {
        get throws {
            try kvCache.split(separator: ",").map { name in
                guard let p = KVCache.Precision(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("--kv-cache: '\(name)' is not one of \(KVCache.Precision.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return p
            }
        }
    }

    func validate() throws {
        if prompt < 0 || generate < 0 || depth < 0 { throw ValidationError("-p, -n and -d must be ≥ 0") }
        if repetitions < 1 { throw ValidationError("-r must be ≥ 1") }
        try validateThreads(threads, flag: "-t")
        if batchSize < 1 { throw ValidationError("-b must be ≥ 1") }
        if try precisions.isEmpty { throw ValidationError("--kv-cache names no cache type") }
    }

    /// The machine's read bandwidth on the engine's threads and, per cache type, the tg bound it
    /// sets: bytes per token at the middle of the tg run.
    private func bandwidthBound(_ engine: Engine, kinds: [KVCache.Precision])
        -> (bandwidth: Double, of: [KVCache.Precision: (bytesPerToken: Int, tokensPerSecond: Double)]) {
        let bandwidth = MemoryBandwidth.measure(pool: engine.pool)
        var of: [KVCache.Precision: (bytesPerToken: Int, tokensPerSecond: Double)] = [:]
        for p in kinds {
            let bytes = engine.bytesReadPerToken(position: depth + generate / 2, precision: p)
            of[p] = (bytes, bandwidth / Double(bytes))
        }
        return (bandwidth, of)
    }

    func run() async throws {
        try await reportingErrors {
            let path = try ModelStore().resolve(model) { Terminal.status($0) }
            // The benchmark needs room for the longest test only.
            let context = depth + max(prompt, generate) + 1
            let kinds = try precisions
            var options = EngineOptions(threads: threads, contextLength: context)
            options.cachePrecision = kinds[0]
            let engine = try ModelOptions.loadEngine(path: path.path, options: options)
            for p in kinds { try KVCache.validate(p, config: engine.config) }
            // Each repetition runs every cache type in turn, so a machine that speeds up or slows
            // down over the run (other work, clocks) affects them alike; repetition 0 warms up.
            var pp: [[Double]] = Array(repeating: [], count: kinds.count), tg = pp
            for rep in 0 ... repetitions {
                for (i, p) in kinds.enumerated() {
                    if prompt > 0 {
                        let speed = try engine.benchmarkPromptRun(tokens: prompt, batchSize: batchSize, precision: p, depth: depth)
                        if rep > 0 { pp[i].append(speed) }
                    }
                    if generate > 0 {
                        let speed = try engine.benchmarkGenerationRun(tokens: generate, precision: p, depth: depth)
                        if rep > 0 { tg[i].append(speed) }
                    }
                }
            }
            let at = depth > 0 ? " @ d\(depth)" : ""
            var results: [(KVCache.Precision, BenchmarkResult)] = []
            for (i, p) in kinds.enumerated() {
                if prompt > 0 { results.append((p, BenchmarkResult(test: "pp\(prompt)" + at, tokens: prompt, samples: pp[i]))) }
                if generate > 0 { results.append((p, BenchmarkResult(test: "tg\(generate)" + at, tokens: generate, samples: tg[i]))) }
            }
            let bound = generate > 0 && !skipBandwidth ? bandwidthBound(engine, kinds: kinds) : nil
            let size = (try? FileManager.default.attributesOfItem(atPath: path.path)[.size] as? Int) ?? 0
            let name = engine.gguf.metadata["general.name"]?.stringValue ?? path.lastPathComponent
            let type = engine.model.weightSummary
            let params = engine.config.parameterCount(tiedOutput: engine.gguf.tensorIfPresent("output.weight") == nil)
            switch output {
            case .md:
                print("| model | size | params | kernels | threads | kv | test | t/s |")
                print("| --- | ---: | ---: | --- | ---: | --- | ---: | ---: |")
                for (p, r) in results {
                    print(String(format: "| %@ (%@) | %.2f MiB | %.2f M | %@ | %d | %@ | %@ | %.2f ± %.2f |",
                                 name, type, Double(size) / 1048576, Double(params) / 1e6, Kernels.backendDescription,
                                 engine.pool.threadCount, p.rawValue, r.test, r.tokensPerSecond, r.stddev))
                }
                if let bound {
                    print(String(format: "\nmemory read bandwidth %.1f GB/s (%d threads)", bound.bandwidth / 1e9, engine.pool.threadCount))
                    for (p, r) in results where r.test.hasPrefix("tg") {
                        let b = bound.of[p]!
                        print(String(format: "%@ kv %@: %.1f MB read per token, bound %.1f t/s, reached %.0f%%",
                                     r.test, p.rawValue, Double(b.bytesPerToken) / 1e6, b.tokensPerSecond, 100 * r.tokensPerSecond / b.tokensPerSecond))
                    }
                }
            case .json:
                let objects: [[String: Any]] = results.map { p, r in
                    var o: [String: Any] = ["model": name, "type_kv": p.rawValue, "model_type": type, "model_size": size, "model_n_params": params,
                     "kernels": Kernels.backendDescription, "n_threads": engine.pool.threadCount,
                     "test": r.test, "n_prompt": r.test.hasPrefix("pp") ? r.tokens : 0,
                     "n_gen": r.test.hasPrefix("tg") ? r.tokens : 0, "n_depth": depth,
                     "tokens_per_second": r.tokensPerSecond, "stddev": r.stddev, "samples_ts": r.samples]
                    if let bound, r.test.hasPrefix("tg"), let b = bound.of[p] {
                        o["read_bandwidth_bytes_per_second"] = bound.bandwidth
                        o["bytes_read_per_token"] = b.bytesPerToken
                        o["bandwidth_bound_ts"] = b.tokensPerSecond
                        o["bandwidth_fraction"] = r.tokensPerSecond / b.tokensPerSecond
                    }
                    return o
                }
                let data = try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            }
        }
    }
}
