import Foundation
import KingletArchitectures
import KingletGrammar
import KingletTokenizer

/// One sequence's generation, one forward pass at a time: the prompt in chunks, then sampling,
/// detokenizing and stop-string matching token by token.
///
/// The decoder never calls the model. Its owner asks `pendingInput()` for the tokens this sequence
/// needs evaluated next, runs the forward pass (alone, as `Engine.run` does, or batched with other
/// sequences, as `BatchStepper` does for the server and the distillation teacher) and hands the
/// logits back to `accept(_:)`. So the single-sequence loop and continuous batching share this one
/// copy of the generation logic.
///
/// ```swift
/// var d = try SequenceDecoder(prompt: ids, parameters: p, cache: PromptCache(state: engine.makeState()), tokenizer: engine.tokenizer)
/// while let input = d.pendingInput() {
///     let step = d.accept(try engine.model.forward(input, state: d.state, logits: .last))
///     print(step.text + step.tail, terminator: "")
/// }
/// ```
///
/// The decoder sees the whole prompt, the part taken from the cache included: it skips that part
/// when evaluating, but its history (repetition penalties) and its summary (`promptTokens`,
/// `cachedTokens`) cover all of it, so a reused prefix changes nothing but the work done.
public struct SequenceDecoder: @unchecked Sendable {
    /// The sequence's KV cache and the tokens in it; every evaluated input is recorded there.
    public let cache: PromptCache
    /// The sequence's KV cache and scratch state (`cache.state`).
    public var state: ModelState { cache.state }
    /// Counts and timings so far (`finishReason` is final once `isFinished`).
    public private(set) var summary: GenerationSummary
    /// Why generation ended; nil while it goes on.
    public private(set) var finishReason: FinishReason?

    private let tokenizer: Tokenizer
    private let prompt: [Int32]
    private var promptCursor = 0
    private let promptBatchSize: Int
    private let limit: Int
    private let ignoreEndOfGeneration: Bool
    private let logprobs: Int?
    private var sampler: SamplerChain
    private var history: [Int32]
    private var detokenizer: StreamingDetokenizer
    private var stopper: StopMatcher
    private var nextToken: Int32?
    private let guide: ConstraintGuide?
    private let started: Date
    private var decodeStarted: Date?

    /// Prepares a generation of `prompt`, reusing the longest prefix of it that `cache` holds
    /// (`PromptCache.prepare`; at most `reuseLimit` tokens) and evaluating the rest.
    ///
    /// - Parameters:
    ///   - prompt: the prompt's tokens.
    ///   - p: sampling, limits, stop strings and constraint.
    ///   - cache: the KV cache to fill (and reuse a prefix of).
    ///   - reuseLimit: the most cached tokens to reuse.
    ///   - tokenizer: the model's tokenizer (stop strings, end of generation, detokenizing).
    ///   - logprobs: report each sampled token's log-probability and this many most
    ///     likely alternatives (`0`: the chosen token only; nil: none).
    ///   - vocabulary: the tokenizer's `TokenTrie`, for `parameters.constraint` (pass
    ///     `Engine.tokenTrie`, built once per model; nil builds one here).
    ///   - maskers: where the constraint's token masker is kept between generations (pass
    ///     `Engine.maskers`; nil: a new masker, its masks computed afresh).
    /// - Throws: `GenerationError.emptyPrompt`, or `.promptTooLong` when the prompt leaves no
    ///   room for a new token, `.sampling` when a sampling setting is out of range,
    ///   `.constraint` when the grammar cannot start; the cache is left as it was.
    public init(prompt: [Int32], parameters p: GenerateParameters, cache: PromptCache, reuseLimit: Int = .max,
                tokenizer: Tokenizer, logprobs: Int? = nil, vocabulary: TokenTrie? = nil,
                maskers: MaskerCache? = nil) throws(GenerationError) {
        guard !prompt.isEmpty else { throw .emptyPrompt }
        do throws(SamplingError) { try p.sampling.validate() } catch { throw .sampling(error) }
        let capacity = cache.state.cache.capacity
        guard prompt.count < capacity else {
            throw .promptTooLong(tokens: prompt.count, context: capacity)
        }
        if let constraint = p.constraint {
            do {
                let trie = vocabulary ?? TokenTrie(tokenizer: tokenizer)
                let masker = maskers?.masker(for: constraint, trie: trie) ?? TokenMasker(grammar: constraint.grammar, trie: trie)
                guide = try ConstraintGuide(masker: masker, allowEnd: !p.ignoreEndOfGeneration)
            } catch {
                throw .constraint(error)
            }
        } else {
            guide = nil
        }
        self.cache = cache
        self.tokenizer = tokenizer
        self.prompt = prompt
        promptCursor = cache.prepare(for: prompt, limit: reuseLimit)
        self.promptBatchSize = max(1, p.promptBatchSize)
        self.limit = p.maxTokens ?? Int.max
        self.ignoreEndOfGeneration = p.ignoreEndOfGeneration
        self.logprobs = logprobs.map { max(0, $0) }
        sampler = SamplerChain(p.sampling)
        history = prompt
        detokenizer = StreamingDetokenizer(tokenizer: tokenizer)
        stopper = StopMatcher(p.stop)
        started = Date()
        summary = GenerationSummary(promptTokens: prompt.count, generatedTokens: 0, promptSeconds: 0,
                                    generateSeconds: 0, finishReason: .length, seed: sampler.seed,
                                    cachedTokens: promptCursor)
    }

    /// True once generation has ended (end of generation, stop string, limit, context, cancel).
    public var isFinished: Bool { finishReason != nil }

    /// True while prompt chunks remain to be evaluated.
    public var isReadingPrompt: Bool { promptCursor < prompt.count }

    /// The tokens the next forward pass must evaluate for this sequence (with `.last` logits): the
    /// next prompt chunk, or the token just sampled. Nil once finished.
    public func pendingInput() -> [Int32]? {
        if isFinished { return nil }
        if isReadingPrompt {
            return Array(prompt[promptCursor ..< min(promptCursor + promptBatchSize, prompt.count)])
        }
        return nextToken.map { [$0] }
    }

    /// Takes the logits ([V]) of the pass that evaluated `pendingInput()` and advances: after a
    /// prompt chunk, either waits for the next chunk or samples; after a token, samples the next.
    public mutating func accept(_ logits: [Float]) -> DecodeStep {
        precondition(!isFinished, "accept after the sequence finished")
        cache.append(pendingInput()!)
        if isReadingPrompt {
            promptCursor = min(promptCursor + promptBatchSize, prompt.count)
            if isReadingPrompt { return DecodeStep() }
            summary.promptSeconds = Date().timeIntervalSince(started)
            decodeStarted = Date()
            if limit <= 0 { return finish(.length, flush: true) }
        }
        var logits = logits
        if let guide {
            // Complete with nothing to follow (a grammar of the empty text), or no token fits.
            if guide.isComplete { return finish(.stop, flush: true) }
            if !guide.mask(&logits) { return finish(.length, flush: true) }
        }
        let next = sampler.sample(logits, history: history[...])
        summary.generatedTokens += 1
        history.append(next)
        if let guide, !tokenizer.isEndOfGeneration(next) || ignoreEndOfGeneration, !guide.accept(next) {
            return finish(.length, flush: true)  // unreachable: the mask allowed `next`
        }
        if !ignoreEndOfGeneration && tokenizer.isEndOfGeneration(next) {
            var end = finish(.stop, flush: true)
            end.endOfGeneration = next
            if let n = logprobs { end.logprob = TokenLogprob(token: next, logits: logits, top: n, tokenizer: tokenizer) }
            return end
        }
        let (text, stopped) = stopper.feed(detokenizer.append(next))
        var step = DecodeStep(token: next, text: text)
        if let n = logprobs { step.logprob = TokenLogprob(token: next, logits: logits, top: n, tokenizer: tokenizer) }
        if stopped {
            step.merge(finish(.stop, flush: false))
        } else if guide?.isComplete == true {
            step.merge(finish(.stop, flush: true))
        } else if summary.generatedTokens >= limit || state.cache.count + 1 >= state.cache.capacity {
            step.merge(finish(.length, flush: true))
        } else {
            nextToken = next
        }
        return step
    }

    /// Ends the generation at the consumer's request. Text held back (a partial character or a
    /// possible stop string) is returned as `tail` once decoding has begun.
    public mutating func cancel() -> DecodeStep {
        if isFinished { return DecodeStep() }
        return finish(.cancelled, flush: !isReadingPrompt)
    }

    private mutating func finish(_ reason: FinishReason, flush: Bool) -> DecodeStep {
        finishReason = reason
        summary.finishReason = reason
        if let decodeStarted { summary.generateSeconds = Date().timeIntervalSince(decodeStarted) }
        var step = DecodeStep(finished: reason)
        if flush { step.tail = stopper.feed(detokenizer.finish()).emit + stopper.flush() }
        return step
    }
}

/// What one `SequenceDecoder.accept` produced.
public struct DecodeStep: Sendable {
    /// The sampled token, when it is part of the output (not for prompt chunks or an
    /// end-of-generation token).
    public var token: Int32?
    /// Text newly complete with `token` (may be "" while bytes or a possible stop string wait).
    public var text: String = ""
    /// Held-back text released because generation ended (emit it after `text`).
    public var tail: String = ""
    /// `token`'s (or `endOfGeneration`'s) log-probability and the top alternatives, when asked for.
    public var logprob: TokenLogprob?
    /// The end-of-generation token sampled on this step, which ended the sequence (it is not
    /// `token`: it has no text). Distillation records it so a student learns to stop.
    public var endOfGeneration: Int32?
    /// Set on the step that ends the generation.
    public var finished: FinishReason?

    /// A step with the given parts (tail and logprob empty).
    public init(token: Int32? = nil, text: String = "", finished: FinishReason? = nil) {
        self.token = token
        self.text = text
        self.finished = finished
    }

    mutating func merge(_ end: DecodeStep) {
        tail = end.tail
        finished = end.finished
    }
}
