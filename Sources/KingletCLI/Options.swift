import ArgumentParser
import Foundation
import Kinglet

/// `--model`, `--threads`, `--context`: shared by every command that loads a model.
struct ModelOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "A known model name (pulled on first use) or a path to a .gguf file. Default: \(KnownModel.defaultAlias).")
    var model: String?

    @Option(name: .shortAndLong, help: "Worker threads (default: physical cores).")
    var threads: Int?

    @Option(name: .long, help: "Context length in tokens (default: the model's).")
    var context: Int?

    @Option(name: .customLong("kv-cache"), help: "KV cache element type: f16 (default, as llama.cpp), f32, or ggml blocks q8_0 / q4_0 (about 53% / 28% of f16's memory).")
    var kvCache: KVCache.Precision = .f16

    func validate() throws {
        try validateThreads(threads)
        if let c = context, c < 1 { throw ValidationError("--context must be positive") }
    }

    /// Resolves the model path (pulling it if needed) and loads it.
    func load() throws -> Engine {
        let path = try ModelStore().resolve(model) { Terminal.status($0) }
        var options = EngineOptions(threads: threads, contextLength: context)
        options.cachePrecision = kvCache
        return try Self.loadEngine(path: path.path, options: options)
    }

    /// `Engine(path:options:)`, with the flag to change named when the context cannot fit.
    static func loadEngine(path: String, options: EngineOptions) throws -> Engine {
        do {
            return try Engine(path: path, options: options)
        } catch let e as ResourceError {
            guard case .kvCacheTooLarge = e else { throw e }
            throw CLIError(text: "\(e.errorDescription ?? "\(e)") Pass a smaller --context (llama.cpp's default is 4096).")
        }
    }
}

extension KVCache.Precision: ExpressibleByArgument {}

/// Sampling flags.
struct SamplingOptions: ParsableArguments {
    @Option(help: "Sampling temperature; 0 means greedy.") var temperature: Float = 0.8
    @Option(name: .customLong("top-k"), help: "Keep the k most likely tokens (0: all).") var topK: Int = 40
    @Option(name: .customLong("top-p"), help: "Nucleus sampling threshold (1: off).") var topP: Float = 0.95
    @Option(name: .customLong("min-p"), help: "Drop tokens below this fraction of the top probability (0: off).") var minP: Float = 0.05
    @Option(name: .customLong("repeat-penalty"), help: "Penalty for recently seen tokens (1: off).") var repeatPenalty: Float = 1.0
    @Option(help: "Random seed, for reproducible sampling.") var seed: UInt64?

    /// The library's rules (`SamplingParameters.validate`), each error naming its flag.
    func validate() throws {
        do throws(SamplingError) { try parameters.validate() } catch { throw ValidationError(sampling: error) }
    }

    var parameters: SamplingParameters {
        var p = SamplingParameters()
        p.temperature = temperature
        p.topK = topK
        p.topP = topP
        p.minP = minP
        p.repeatPenalty = repeatPenalty
        p.seed = seed
        return p
    }
}

/// Output helpers: completions to stdout unbuffered, everything else to stderr.
enum Terminal {
    static func out(_ s: String) {
        FileHandle.standardOutput.write(Data(s.utf8))
    }

    static func status(_ s: String) {
        FileHandle.standardError.write(Data((s + "\n").utf8))
    }

    static var stdoutIsTerminal: Bool { isatty(1) == 1 }
}

extension Error {
    /// The user-facing message: LocalizedError's description when there is one.
    var message: String {
        let text = (self as? LocalizedError)?.errorDescription ?? "\(self)"
        return FlagHints.hint(for: self).map { "\(text) (\($0))" } ?? text
    }
}

/// Runs `body`, turning thrown errors into a clean message and exit status 1.
func reportingErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let e as ValidationError {
        throw e
    } catch let e as ExitCode {
        throw e
    } catch {
        Terminal.status("error: \(error.message)")
        throw ExitCode.failure
    }
}

/// A failure already phrased for the command line (it names the flag to change).
struct CLIError: Error, LocalizedError {
    let text: String
    var errorDescription: String? { text }
}

/// The check of a worker-thread flag: `ThreadPool.threadRange`, the counts the library takes.
func validateThreads(_ threads: Int?, flag: String = "--threads") throws {
    let r = ThreadPool.threadRange
    if let t = threads, !r.contains(t) { throw ValidationError("\(flag) must be between \(r.lowerBound) and \(r.upperBound)") }
}
