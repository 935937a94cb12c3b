import Foundation
import KingletArchitectures
import KingletKernels

/// Settings of a perplexity run.
public struct PerplexityOptions: Sendable, Equatable {
    /// Tokens per chunk (llama.cpp's `-c`, default 512).
    public var context: Int
    /// Tokens per forward pass (default: one chunk). At least 2 × context evaluates several
    /// chunks side by side, as llama.cpp does with `-b`; less splits each chunk.
    public var batch: Int?
    /// At most this many chunks (default: all the text holds).
    public var chunks: Int?

    public init(context: Int = 512, batch: Int? = nil, chunks: Int? = nil) {
        self.context = context
        self.batch = batch
        self.chunks = chunks
    }
}

/// Where a run stands after a chunk.
public struct PerplexityProgress: Sendable, Equatable {
    /// Chunks done (1-based) and in all.
    public var chunk: Int, chunkCount: Int
    /// The running estimate over the chunks done.
    public var estimate: PerplexityEstimate
    /// Seconds since the run started.
    public var seconds: Double
}

/// A finished run.
public struct PerplexityResult: Sendable, Equatable, Codable {
    public var estimate: PerplexityEstimate
    /// Tokens per chunk and chunks evaluated.
    public var context: Int, chunks: Int
    /// Tokens of the whole text (only `chunks × context` of them are evaluated).
    public var textTokens: Int
    /// Seconds evaluating (tokenization excluded).
    public var seconds: Double
    /// Chunk tokens per second (`chunks × context / seconds`, llama.cpp's prompt-eval count).
    public var tokensPerSecond: Double
}

/// Events of a streamed run.
public enum PerplexityEvent: Sendable {
    case chunk(PerplexityProgress)
    case finished(PerplexityResult)
}

/// Perplexity of a model over a text, by llama.cpp's method (`ChunkPlan`), with the estimate
/// and its uncertainty after every chunk. Runs one at a time per engine (the model's forward
/// pass is not reentrant); `run` is synchronous, `events` streams and stops when its consumer
/// does.
public final class Perplexity: @unchecked Sendable {
    public let engine: Engine
    public let options: PerplexityOptions

    public init(engine: Engine, options: PerplexityOptions = PerplexityOptions()) throws(MicroscopeError) {
        guard options.context >= 4 else { throw .contextTooSmall(context: options.context) }
        guard options.context <= engine.config.contextLength else {
            throw .contextExceedsModel(context: options.context, model: engine.config.contextLength)
        }
        if let b = options.batch, b < 1 { throw .invalidBatch(b) }
        self.engine = engine
        self.options = options
    }

    /// The text's tokens: tokenized once, BOS first when the model adds one, special-token text
    /// left as text (llama.cpp's `common_tokenize(ctx, text, true)`).
    public func tokens(for text: String) -> [Int32] {
        engine.tokenizer.encode(text, addSpecial: true, parseSpecial: false)
    }

    /// The plan `options` make of `tokens`.
    public func plan(for tokens: [Int32]) throws(MicroscopeError) -> ChunkPlan {
        try ChunkPlan.forText(tokenCount: tokens.count, context: options.context, chunks: options.chunks)
    }

    /// Evaluates `tokens` (as `tokens(for:)` makes them) chunk by chunk. `plan` overrides the
    /// one `options` make (a comparison replays a saved file's chunks). `observe` sees every
    /// chunk's scored logits before `progress` reports it (saving and comparing logits hook in
    /// there). `isCancelled` is read before each forward pass group: true ends the run with
    /// `.cancelled`.
    public func run(_ tokens: [Int32], plan given: ChunkPlan? = nil, isCancelled: () -> Bool = { false },
                    observe: (ChunkLogits) throws(MicroscopeError) -> Void = { _ in },
                    progress: (PerplexityProgress) -> Void = { _ in }) throws(MicroscopeError) -> PerplexityResult {
        let plan: ChunkPlan
        if let given { plan = given } else { plan = try self.plan(for: tokens) }
        guard plan.context <= engine.config.contextLength else {
            throw .contextExceedsModel(context: plan.context, model: engine.config.contextLength)
        }
        precondition(tokens.count >= plan.tokenCount, "the plan covers more tokens than given")
        let bos = engine.tokenizer.addBOS ? engine.tokenizer.bos : nil
        let evaluator = ChunkEvaluator(model: engine.model, plan: plan, batch: options.batch ?? plan.context, bos: bos,
                                       precision: engine.options.cachePrecision)
        let t0 = Date()
        var tally = NLLTally()
        var chunk = 0
        while chunk < plan.chunkCount {
            if isCancelled() { throw .cancelled }
            let group = chunk ..< min(chunk + evaluator.chunksPerPass, plan.chunkCount)
            for rows in try evaluator.evaluate(tokens, chunks: group) {
                let nll = engine.pool.mapRows(rows.targets.count) { p in
                    rows.withRow(p) { LogitsRow($0).negativeLogLikelihood($0, token: Int(rows.targets[p])) }
                }
                for v in nll { tally.add(v) }
                try observe(rows)
                progress(PerplexityProgress(chunk: rows.chunk + 1, chunkCount: plan.chunkCount, estimate: tally.estimate,
                                            seconds: Date().timeIntervalSince(t0)))
            }
            chunk = group.upperBound
        }
        let seconds = Date().timeIntervalSince(t0)
        return PerplexityResult(estimate: tally.estimate, context: plan.context, chunks: plan.chunkCount, textTokens: tokens.count,
                                seconds: seconds, tokensPerSecond: Double(plan.tokenCount) / max(seconds, 1e-9))
    }

    /// `run` on a thread of its own, streamed: a `.chunk` per chunk, then `.finished`. Ending
    /// the iteration (or cancelling its task) cancels the run.
    public func events(_ tokens: [Int32]) -> AsyncThrowingStream<PerplexityEvent, Error> {
        BackgroundStream.make { [self] isCancelled, emit in
            let result = try run(tokens, isCancelled: isCancelled, progress: { emit(.chunk($0)) })
            emit(.finished(result))
        }
    }
}

extension ThreadPool {
    /// `f(0) … f(count − 1)` computed on the pool's threads; the values come back in order, so
    /// sums over them do not depend on the thread count.
    func mapRows<T>(_ count: Int, _ f: (Int) -> T) -> [T] {
        guard count > 0 else { return [] }
        var out = [T?](repeating: nil, count: count)
        out.withUnsafeMutableBufferPointer { o in
            parallelFor(count) { rows in for p in rows { o[p] = f(p) } }
        }
        return out.map { $0! }
    }
}
