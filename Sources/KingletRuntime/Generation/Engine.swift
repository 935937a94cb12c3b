import Foundation
import KingletArchitectures
import KingletGGUF
import KingletKernels
import KingletTokenizer

/// Options for loading a model.
public struct EngineOptions: Sendable {
    /// Worker threads (default: physical cores).
    public var threads: Int?
    /// Overrides the file's context length.
    public var contextLength: Int?
    /// KV cache element type.
    public var cachePrecision: KVCache.Precision = .f16

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

    public init(path: String, options: EngineOptions = EngineOptions()) throws {
        let t0 = Date()
        self.path = path
        self.options = options
        gguf = try GGUFFile(path: path)
        pool = ThreadPool(threads: options.threads ?? ThreadPool.physicalCoreCount())
        model = try ArchitectureRegistry.load(gguf, options: ModelLoadOptions(contextLength: options.contextLength, pool: pool))
        tokenizer = try Tokenizer(gguf: gguf)
        loadSeconds = Date().timeIntervalSince(t0)
    }

    public var config: ModelConfig { model.config }

    /// A fresh KV cache + scratch state for one sequence.
    public func makeState() -> ModelState {
        let c = model.config
        return ModelState(cache: KVCache(layers: c.layerCount, capacity: c.contextLength,
                                         rowSize: c.kvHeadCount * c.headSize, precision: options.cachePrecision))
    }

    /// The token ids for a prompt.
    public func tokens(for prompt: Prompt) throws -> [Int32] {
        switch prompt {
        case .raw(let text): return tokenizer.encode(text, addSpecial: true, parseSpecial: true)
        case .tokens(let ids): return ids
        case .chat(let messages):
            let text = try ChatFormatter(engine: self).render(messages, addGenerationPrompt: true)
            // The template already placed BOS where the model wants it.
            return tokenizer.encode(text, addSpecial: false, parseSpecial: true)
        }
    }

    /// Streams a completion of `prompt`. Cancelling the consuming task stops generation.
    public func generate(_ prompt: Prompt, parameters: GenerateParameters = GenerateParameters()) -> AsyncThrowingStream<GenerationEvent, Error> {
        AsyncThrowingStream { continuation in
            let cancelled = CancellationFlag()
            continuation.onTermination = { _ in cancelled.set() }
            let thread = Thread { [self] in
                do {
                    let ids = try tokens(for: prompt)
                    _ = try run(ids, parameters: parameters, isCancelled: { cancelled.isSet }) { continuation.yield($0) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// The generation loop, synchronous: evaluates the prompt in batches, then samples token by
    /// token until end of generation, a stop string, `maxTokens` or cancellation.
    @discardableResult
    public func run(_ promptTokens: [Int32], parameters p: GenerateParameters, state: ModelState? = nil,
                    isCancelled: () -> Bool = { false }, onEvent: (GenerationEvent) -> Void) throws -> GenerationSummary {
        lock.lock()
        defer { lock.unlock() }
        let state = state ?? makeState()
        let capacity = state.cache.capacity
        guard !promptTokens.isEmpty else { throw GenerationError.emptyPrompt }
        guard state.cache.count + promptTokens.count < capacity else {
            throw GenerationError.promptTooLong(tokens: promptTokens.count, context: capacity)
        }
        var sampler = SamplerChain(p.sampling)
        var history = promptTokens
        var summary = GenerationSummary(promptTokens: promptTokens.count, generatedTokens: 0, promptSeconds: 0,
                                        generateSeconds: 0, finishReason: .length, seed: sampler.seed)
        let t0 = Date()
        var logits: [Float] = []
        var i = 0
        let batch = max(1, p.promptBatchSize)
        while i < promptTokens.count {
            let chunk = Array(promptTokens[i ..< min(i + batch, promptTokens.count)])
            logits = try model.forward(chunk, state: state, logits: .last)
            i += chunk.count
            if isCancelled() { summary.finishReason = .cancelled; onEvent(.finished(summary)); return summary }
        }
        summary.promptSeconds = Date().timeIntervalSince(t0)
        let t1 = Date()
        var detok = StreamingDetokenizer(tokenizer: tokenizer)
        var stopper = StopMatcher(p.stop)
        let limit = p.maxTokens ?? Int.max
        var stoppedByString = false
        while summary.generatedTokens < limit {
            if isCancelled() { summary.finishReason = .cancelled; break }
            let next = sampler.sample(logits, history: history[...])
            summary.generatedTokens += 1
            history.append(next)
            if !p.ignoreEndOfGeneration && tokenizer.isEndOfGeneration(next) {
                summary.finishReason = .stop
                break
            }
            let (text, stopped) = stopper.feed(detok.append(next))
            onEvent(.token(id: next, text: text))
            if stopped { summary.finishReason = .stop; stoppedByString = true; break }
            if summary.generatedTokens >= limit { break }
            if state.cache.count + 1 >= capacity { summary.finishReason = .length; break }
            logits = try model.forward([next], state: state, logits: .last)
        }
        if !stoppedByString {
            let tail = stopper.feed(detok.finish()).emit + stopper.flush()
            if !tail.isEmpty { onEvent(.token(id: -1, text: tail)) }
        }
        summary.generateSeconds = Date().timeIntervalSince(t1)
        onEvent(.finished(summary))
        return summary
    }
}

/// Errors of the generation loop.
public enum GenerationError: Error, LocalizedError, Sendable {
    case emptyPrompt
    case promptTooLong(tokens: Int, context: Int)

    public var errorDescription: String? {
        switch self {
        case .emptyPrompt: return "the prompt is empty (0 tokens). Give some text to continue."
        case .promptTooLong(let t, let c):
            return "the prompt has \(t) tokens but the context holds \(c). Shorten the prompt or raise --context."
        }
    }
}

/// A thread-safe one-way flag.
final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set() { lock.lock(); value = true; lock.unlock() }
}
