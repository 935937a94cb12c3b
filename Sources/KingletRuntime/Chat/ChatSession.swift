import Foundation
import KingletArchitectures
import KingletChatTemplate

/// A conversation with a model: the history (system prompt first), the turns that fit the
/// context, and the KV cache of what was already evaluated, reused from turn to turn.
///
/// Each `respond(to:)` renders the whole history with the chat template, drops the oldest turns
/// (never the system prompt) until prompt + reply room fit the context, evaluates only the tokens
/// after the longest prefix already in its `PromptCache` (the rule `Engine.run` and the server's
/// slots follow), and streams the reply. `stop()` ends a reply
/// early (Ctrl-C); the partial reply stays in the history.
public final class ChatSession: @unchecked Sendable {
    /// The model talked to.
    public let engine: Engine
    /// Its chat template.
    public let formatter: ChatFormatter
    private let cache: PromptCache
    private let lock = NSLock()
    private var turns: [ChatMessage] = []     // user / assistant, oldest first
    private var systemPrompt: String?
    private var stopFlag = CancellationFlag()

    /// A new conversation (with its own KV cache) on `engine`.
    public init(engine: Engine, system: String? = nil) throws {
        self.engine = engine
        formatter = try ChatFormatter(engine: engine)
        cache = PromptCache(state: engine.makeState())
        systemPrompt = system
    }

    /// The conversation as the template sees it (system prompt first, when set).
    public var messages: [ChatMessage] {
        lock.withLock { (systemPrompt.map { [ChatMessage(role: "system", content: $0)] } ?? []) + turns }
    }

    /// The system prompt (nil: none). Setting it keeps the turns.
    public var system: String? {
        get { lock.withLock { systemPrompt } }
        set { lock.withLock { systemPrompt = newValue } }
    }

    /// Forgets every turn (the system prompt stays).
    public func reset() {
        lock.withLock { turns.removeAll() }
    }

    /// Saves what the KV cache holds (the conversation evaluated so far) to `url`, atomically.
    /// Call between replies.
    public func saveCache(to url: URL) throws(PromptCacheFileError) {
        try PromptCacheFile.save(cache, engine: engine, to: url)
    }

    /// Loads a cache `saveCache` wrote with the same model file; the next reply evaluates only what
    /// follows its longest common prefix with the conversation (a long system prompt, or the whole
    /// history when the same messages are sent again). Returns the tokens it holds. A refused file
    /// leaves the cache empty, which costs only the time to evaluate again. Call between replies.
    @discardableResult
    public func restoreCache(from url: URL) throws(PromptCacheFileError) -> Int {
        try PromptCacheFile.restore(cache, engine: engine, from: url)
    }

    /// Ends the reply being generated after its current token.
    public func stop() { lock.withLock { stopFlag }.set() }

    /// What `respond(to:)` did before generating.
    public struct Turn: Sendable {
        /// Oldest user/assistant messages dropped to fit the context (0 usually).
        public var droppedMessages: Int
        /// Prompt tokens of the whole conversation, and how many of them were already cached.
        public var promptTokens: Int
        public var reusedTokens: Int
        /// The reply, streamed; it ends with `.finished` (reason `.cancelled` after `stop()`).
        public var events: AsyncThrowingStream<GenerationEvent, Error>
    }

    /// Adds the user's message and streams the assistant's reply, which joins the history when
    /// it ends. `parameters.maxTokens` (default 512 here when nil) is the room kept for the reply.
    public func respond(to text: String, parameters: GenerateParameters) throws -> Turn {
        let capacity = cache.state.cache.capacity
        let reserve = min(parameters.maxTokens ?? 512, capacity / 2)
        lock.lock()
        turns.append(ChatMessage(role: "user", content: text))
        var dropped = 0
        var tokens: [Int32] = []
        do {
            while true {
                tokens = try promptTokens()
                if tokens.count + reserve <= capacity || turns.count <= 1 { break }
                // Drop the oldest exchange: a user message and the assistant reply after it.
                let n = turns.count >= 3 && turns[1].role == "assistant" ? 2 : 1
                turns.removeFirst(n)
                dropped += n
            }
        } catch {
            turns.removeLast()
            lock.unlock()
            throw error
        }
        guard tokens.count < capacity else {
            turns.removeLast()
            lock.unlock()
            throw GenerationError.promptTooLong(tokens: tokens.count, context: capacity)
        }
        // What the run will reuse (it prepares the cache the same way again, keeping this).
        let common = cache.prepare(for: tokens)
        let prompt = tokens
        let flag = CancellationFlag()
        stopFlag = flag
        lock.unlock()

        var runParameters = parameters
        runParameters.maxTokens = parameters.maxTokens ?? reserve
        let params = runParameters
        let events: AsyncThrowingStream<GenerationEvent, Error> = BackgroundStream.make(flag: flag) { [self] isCancelled, emit in
            var reply = ""
            do {
                let summary = try engine.run(prompt, parameters: params, cache: cache, isCancelled: isCancelled) { event in
                    if case .token(_, let piece) = event { reply += piece }
                    if case .finished = event { return }  // yielded after the history is updated
                    emit(event)
                }
                record(reply: reply)
                emit(.finished(summary))
            } catch {
                record(reply: reply)
                throw error
            }
        }
        return Turn(droppedMessages: dropped, promptTokens: prompt.count, reusedTokens: common, events: events)
    }

    /// The reply joins the history; the cache already holds what was evaluated.
    private func record(reply: String) {
        lock.withLock { turns.append(ChatMessage(role: "assistant", content: reply)) }
    }

    /// The whole conversation's prompt tokens (caller holds the lock).
    private func promptTokens() throws -> [Int32] {
        let all = (systemPrompt.map { [ChatMessage(role: "system", content: $0)] } ?? []) + turns
        return try formatter.promptTokens(all, tokenizer: engine.tokenizer)
    }
}
