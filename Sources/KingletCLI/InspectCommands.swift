import ArgumentParser
import Foundation
import Kinglet

struct TokenizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Print the token ids of a text (one line, space-separated).")

    @OptionGroup var modelOptions: ModelOptions

    @Flag(help: "Also show each token's text.")
    var pieces = false

    @Argument(help: "The text, or - to read it from stdin.")
    var text: String

    func run() async throws {
        try await reportingErrors {
            let input = text == "-" ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) : text
            let path = try ModelStore().resolve(modelOptions.model) { Terminal.status($0) }
            let gguf = try GGUFFile(path: path.path)
            let tokenizer = try Tokenizer(gguf: gguf)
            let ids = tokenizer.encode(input, addSpecial: true, parseSpecial: true)
            print(ids.map(String.init).joined(separator: " "))
            if pieces {
                for id in ids { print("\(id)\t\((tokenizer.tokenText(id) ?? "").debugDescription)") }
            }
        }
    }
}

struct InfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show a model's architecture, sizes, tensor types and tokenizer facts.")

    @OptionGroup var modelOptions: ModelOptions

    func run() async throws {
        try await reportingErrors {
            let engine = try modelOptions.load()
            let c = engine.config
            let g = engine.gguf
            let size = (try? FileManager.default.attributesOfItem(atPath: engine.path)[.size] as? Int) ?? 0
            let tied = g.tensorIfPresent("output.weight") == nil
            print("file:          \(engine.path) (\(String(format: "%.1f", Double(size) / 1e6)) MB, GGUF v\(g.version))")
            print("name:          \(g.metadata["general.name"]?.stringValue ?? "-")")
            print("architecture:  \(c.architecture)")
            print("parameters:    \(c.parameterCount(tiedOutput: tied)) (\(tied ? "tied" : "separate") output head)")
            print("layers:        \(c.layerCount)")
            print("embedding:     \(c.embeddingSize)")
            print("heads:         \(c.headCount) query, \(c.kvHeadCount) key/value, head size \(c.headSize)")
            print("feed-forward:  \(c.feedForwardSize)")
            print("context:       \(c.contextLength)")
            print("rope:          base \(c.ropeFreqBase), \(c.ropeDimensionCount) dimensions")
            if let w = c.slidingWindow {
                let local = c.slidingLayers.filter { $0 }.count
                print("attention:     sliding window \(w) on \(local) of \(c.layerCount) layers (rope base \(c.ropeFreqBase(layer: c.slidingLayers.firstIndex(of: true) ?? 0))), global on \(c.layerCount - local)")
            }
            let precision = engine.options.cachePrecision
            let kv = KVCache.Layout(c).byteCount(precision: precision) ?? 0
            print("kv cache:      \(String(format: "%.1f", Double(kv) / 1048576)) MiB per sequence at context \(c.contextLength), "
                + "\(precision.rawValue) (\(kv / max(c.contextLength, 1)) bytes per token)")
            print("rms epsilon:   \(c.rmsNormEpsilon)")
            print("tensors:       \(g.tensorInfos.count) (\(engine.model.weightSummary))")
            let t = engine.tokenizer
            print("tokenizer:     \(g.metadata["tokenizer.ggml.model"]?.stringValue ?? "-") (\(t.model), \(t.vocabularySize) tokens), pre-tokenizer \(t.preTokenizerName ?? "-") → \(t.preTokenizerFamily)")
            print("special:       bos \(t.bos.map(String.init) ?? "-"), eos \(t.eos.map(String.init) ?? "-"), end of generation \(t.endOfGeneration.sorted()), add bos \(t.addBOS)")
            for w in t.warnings { print("warning:       \(w)") }
            print("chat template: \(g.metadata["tokenizer.chat_template"] != nil ? "in file" : "none (built-in fallback)")")
            print("kernels:       \(Kernels.backendDescription), \(engine.pool.threadCount) threads")
        }
    }
}
