import Foundation
import KingletArchitectures
import KingletGGUF
import KingletGrammar
import KingletKernels
import KingletTokenizer

/// Options for loading a model.
public struct EngineOptions: Sendable {
    /// Worker threads (default: physical cores).
    public var threads: Int?
    /// Overrides the file's context length.
    public var contextLength: Int?
    /// KV cache element type: f16 (llama.cpp's default), f32, or ggml's q8_0 / q4_0 blocks (about
    /// 53% / 28% of f16's memory; heads must be whole 32-element blocks, checked at load).
    public var cachePrecision: KVCache.Precision = .f16
    /// How many sequences may hold a full KV cache at once (a server's parallel slots): the
    /// memory check at load counts them all.
    public var sequences: Int = 1
    /// Where the weights live: a file mapping, or an anonymous copy on huge pages (the default
    /// where Linux offers them; `MappedFile.Placement.forWeights`).
    public var weightPlacement: MappedFile.Placement = .forWeights

    public init(threads: Int? = nil, contextLength: Int? = nil) {
        self.threads = threads
        self.contextLength = contextLength
    }
}

/// A loaded model with its tokenizer: the one owner of weights, threads and generation.
///
/// `generate` is the single entry point; it streams `GenerationEvent`s. Generations on one engine
/// run one at a time (the thread pool is shared).
public final class Engine: @unchecked Sendable {
    public let path: String
    public let gguf: GGUFFile
    public let model: any LanguageModel
    public let tokenizer: Tokenizer
    public let pool: ThreadPool
    /// Seconds spent mapping the file and building the model.
    public let loadSeconds: Double
    public let options: EngineOptions
    private let lock = NSLock()
    private let lazyLock = NSLock()  // guards what is built on first use: trie, fingerprint
    private var trie: TokenTrie?
    private var fingerprint: String?

    public init(path: String, options: EngineOptions = EngineOptions()) throws {
        let t0 = Date()
        self.path = path
        self.options = options
        gguf = try GGUFFile(path: path, placement: options.weightPlacement)
        try ResourceCheck.threads(options.threads)
        try ResourceCheck.range("sequences", options.sequences, ResourceCheck.sequenceRange)
        pool = ThreadPool(threads: options.threads ?? ThreadPool.physicalCoreCount())
        model = try ArchitectureRegistry.load(gguf, options: ModelLoadOptions(contextLength: options.contextLength, pool: pool))
        try KVCache.validate(options.cachePrecision, config: model.config)
        try ResourceCheck.kvCache(model.config, options: options)
        tokenizer = try Tokenizer(gguf: gguf)
        // The model and tokenizer hold what they need of the metadata; its pages come back on
        // the rare later read (chat template, fingerprint).
        gguf.releaseHeaderPages()
        loadSeconds = Date().timeIntervalSince(t0)
    }

    public var config: ModelConfig { model.config }

    /// The tokenizer's token byte strings as a prefix tree, for constrained generation: built on
    /// first use (tens of milliseconds on a 49k vocabulary), then shared by every sequence.
    public var tokenTrie: TokenTrie {
        lazyLock.withLock {
            if let trie { return trie }
            let built = TokenTrie(tokenizer: tokenizer)
            trie = built
            return built
        }
    }

    /// The token maskers of recent output constraints (grammars asked for again start warm).
    public let maskers = MaskerCache()

    /// `ModelFingerprint.of(gguf)`, computed on first use (it hashes the file's header, several MB
    /// for a 262k vocabulary) and kept: every prompt-cache file saved or restored checks it.
    public var modelFingerprint: String {
        lazyLock.withLock {
            if let fingerprint { return fingerprint }
            let made = ModelFingerprint.of(gguf)
            fingerprint = made
            return made
        }
    }

    /// A fresh KV cache + scratch state for one sequence, laid out as the model's configuration
    /// asks (sliding-window layers keep a ring of their window).
    public func makeState() -> ModelState { makeState(precision: options.cachePrecision) }

    /// A fresh state whose cache holds `precision` instead of the engine's (benchmarks comparing
    /// cache types on one engine). The caller validates it first (`KVCache.validate`).
    public func makeState(precision: KVCache.Precision) -> ModelState {
        ModelState(cache: KVCache(layout: KVCache.Layout(model.config), precision: precision))
    }

    /// The token ids for a prompt.
    public func tokens(for prompt: Prompt) throws -> [Int32] {
        switch prompt {
        case .raw(let text): return tokenizer.encode(text, addSpecial: true, parseSpecial: true)
        case .tokens(let ids): return ids
        case .chat(let messages):
            return try ChatFormatter(engine: self).promptTokens(messages, tokenizer: tokenizer)
        }
    }

    /// Streams a completion of `prompt`. Cancelling the consuming task stops generation.
    ///
    /// With `cache`, only the prompt's tokens after the longest prefix that cache holds are
    /// evaluated (a conversation's earlier turns, a long system prompt), and the cache keeps the
    /// prompt and the reply for the next call; the summary's `cachedTokens` says how many were
    /// reused. Without, generation starts from an empty cache.
    public func generate(_ prompt: Prompt, parameters: GenerateParameters = GenerateParameters(),
                         cache: PromptCache? = nil) -> AsyncThrowingStream<GenerationEvent, Error> {
        BackgroundStream.make { [self] isCancelled, emit in
            let ids = try tokens(for: prompt)
            _ = try run(ids, parameters: parameters, cache: cache, isCancelled: isCancelled, onEvent: emit)
        }
    }

    /// The generation loop, synchronous: evaluates the prompt in batches, then samples token by
    /// token until end of generation, a stop string, `maxTokens` or cancellation. The per-token
    /// logic is `SequenceDecoder`'s (shared with batched serving); this loop only runs the model.
    /// `cache`: as for `generate`; a failed forward pass leaves it empty.
    @discardableResult
    public func run(_ promptTokens: [Int32], parameters p: GenerateParameters, cache: PromptCache? = nil,
                    isCancelled: () -> Bool = { false }, onEvent: (GenerationEvent) -> Void) throws -> GenerationSummary {
        lock.lock()
        defer { lock.unlock() }
        var decoder = try SequenceDecoder(prompt: promptTokens, parameters: p, cache: cache ?? PromptCache(state: makeState()),
                                          tokenizer: tokenizer, vocabulary: p.constraint == nil ? nil : tokenTrie, maskers: maskers)
        while let input = decoder.pendingInput() {
            let step: DecodeStep
            if isCancelled() {
                step = decoder.cancel()
            } else {
                let logits: [Float]
                do {
                    logits = try model.forward(input, state: decoder.state, logits: .last)
                } catch {
                    decoder.cache.clear()  // what the pass stored is unknown
                    throw error
                }
                step = decoder.accept(logits)
            }
            if let id = step.token { onEvent(.token(id: id, text: step.text)) }
            if !step.tail.isEmpty { onEvent(.token(id: -1, text: step.tail)) }
        }
        onEvent(.finished(decoder.summary))
        return decoder.summary
    }
}

/// Errors of the generation loop.
public enum GenerationError: Error, LocalizedError, Sendable, Equatable {
    case emptyPrompt
    case promptTooLong(tokens: Int, context: Int)
    /// The output constraint cannot start (its grammar needs too many parse states).
    case constraint(GrammarError)
    /// A sampling setting is out of range (`SamplingParameters.validate()`).
    case sampling(SamplingError)

    public var errorDescription: String? {
        switch self {
        case .sampling(let e): return e.errorDescription
        case .constraint(let e): return "the output constraint cannot be used: \(e)"
        case .emptyPrompt: return "the prompt is empty (0 tokens). Give some text to continue."
        case .promptTooLong(let t, let c):
            return "the prompt has \(t) tokens but the context holds \(c). Shorten the prompt or load the model with a larger context length."
        }
    }
}
