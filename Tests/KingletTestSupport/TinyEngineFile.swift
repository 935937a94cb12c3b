import Foundation
import KingletGGUF
import KingletRuntime

/// `TinyLlamaFile` with a tokenizer, so an `Engine` can load it: eleven byte-level tokens,
/// "a" … "j" (ids 0 … 9) and the end-of-generation token `<|end|>` (id 10), no merges.
/// For tests of the generation loop that need a real forward pass but not a real model.
public enum TinyEngineFile {
    /// The end-of-generation token's id.
    public static let endOfGeneration: Int32 = 10

    /// The file, written once per test process (the weights are seeded, so every copy is the same).
    public static let path: Result<String, Error> = Result { try write() }

    /// The same model with `add_bos_token` set and `<|end|>` as BOS (perplexity's chunks start with it).
    public static let pathWithBOS: Result<String, Error> = Result { try write(addBOS: true) }

    /// The same vocabulary and weights but the output head scaled by 0.5: a second model whose
    /// distributions differ from the first (KL-divergence tests).
    public static let pathFlatter: Result<String, Error> = Result { try write(outputScale: 0.5) }

    /// `TinyGemma3File` (sliding-window layers) with the same kind of tokenizer: "a" … "z", "A" …
    /// (ids 0 … 27) and `<|end|>` (id 28).
    public static let gemma3Path: Result<String, Error> = Result {
        var (w, _) = TinyGemma3File.build()
        addTokenizer(&w, vocabulary: TinyGemma3File.V)
        return try save(w, "tiny-gemma3-engine")
    }

    /// Writes a variant of the tiny llama to a temporary file and returns its path.
    public static func write(addBOS: Bool = false, outputScale: Float = 1) throws -> String {
        var (w, _) = TinyLlamaFile.build(tied: false, outputScale: outputScale)
        addTokenizer(&w, vocabulary: TinyLlamaFile.V, addBOS: addBOS)
        return try save(w, "tiny-engine")
    }

    /// A byte-level vocabulary of `vocabulary - 1` letters and `<|end|>` last (end of generation,
    /// and BOS when `addBOS`), no merges.
    public static func addTokenizer(_ w: inout GGUFWriter, vocabulary: Int, addBOS: Bool = false) {
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        precondition(vocabulary - 1 <= letters.count, "a tiny vocabulary has at most \(letters.count + 1) tokens")
        let tokens = letters.prefix(vocabulary - 1).map(String.init) + ["<|end|>"]
        w.set("tokenizer.ggml.model", "gpt2")
        w.set("tokenizer.ggml.pre", "gpt-2")
        w.set("tokenizer.ggml.tokens", strings: tokens)
        w.set("tokenizer.ggml.token_type", .array(.int32, tokens.indices.map { .int32($0 == vocabulary - 1 ? 3 : 1) }))
        w.set("tokenizer.ggml.merges", strings: [])
        w.set("tokenizer.ggml.eos_token_id", uint32: vocabulary - 1)
        if addBOS { w.set("tokenizer.ggml.bos_token_id", uint32: vocabulary - 1) }
        w.set("tokenizer.ggml.add_bos_token", .bool(addBOS))
    }

    private static func save(_ w: GGUFWriter, _ name: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-\(name)-\(UUID().uuidString).gguf")
        try w.write(to: url.path)
        return url.path
    }

    /// A fresh engine on the file (one thread: the tests' numbers do not depend on the machine).
    public static func engine(_ options: EngineOptions = EngineOptions(threads: 1)) throws -> Engine {
        try Engine(path: path.get(), options: options)
    }
}
