import Foundation
import KingletChatTemplate

/// How `kinglet serve` listens, schedules, and what it refuses.
///
/// The defaults suit a server on loopback that every local process (and, through a browser,
/// every web page) can reach: no foreign `Host` or `Origin`, JSON bodies only, bounded
/// connections, timeouts and output lengths.
public struct ServerOptions: Sendable {
    /// Address to bind (loopback unless told otherwise).
    public var host = "127.0.0.1"
    /// Whether the HTTP layer's warnings and errors reach stderr (off for a server that lives only
    /// for one job, such as `route eval`'s, whose shutdown by cancellation Hummingbird logs as errors).
    public var logsWarnings = true
    /// Port to bind; 0 picks a free one (the URL printed when ready has the real port).
    public var port = 8080
    /// When set, requests need `Authorization: Bearer <apiKey>` (except `GET /health`).
    public var apiKey: String?
    /// Sequences generating at once, batched into one forward pass per step.
    public var parallel = 4
    /// Whether a slot keeps its KV cache between requests and a request goes to the slot whose
    /// cache shares the longest prefix with its prompt, evaluating only the rest
    /// (`LongestCachedPrefix`); false: every request is evaluated whole (`FirstFreeSlot`).
    public var promptCache = true
    /// A folder where each slot's prompt cache is saved whenever the server goes idle and at
    /// shutdown, and restored from at start (`SlotCacheStore`), so a restarted server answers
    /// the next turn of a conversation, or a long system prompt, without evaluating it again.
    /// nil: caches live in memory only.
    public var promptCacheDirectory: URL?
    /// Requests allowed to wait for a slot; beyond that, 429.
    public var queue = 64
    /// Largest request body accepted, in bytes; beyond that, 413.
    public var maxBody = 1 << 20
    /// Largest `max_tokens` a request may ask for (400 above it); also the limit of a request
    /// that names none. Nil: up to the context length.
    public var maxTokensLimit: Int? = 4096

    /// Connection limits and timeouts (see `ConnectionLimits`).
    public var connections = ConnectionLimits()
    /// Extra names the `Host` header may carry (see `HostAllowlist`); `*` allows any.
    public var allowedHosts: [String] = []
    /// Web origins (`https://app.example`) whose pages may call the API; `*` allows any.
    public var corsOrigins: [String] = []

    /// A chat template used instead of the model's (`--chat-template-file`).
    public var chatTemplate: ChatTemplate?
    /// Longest a chat template may take to render one request before it is answered with 500.
    public var templateTimeout: Double = 10

    /// Local first, escalating unsure answers upstream (`kinglet serve --upstream`); nil: every
    /// request is answered locally and nothing is scored.
    public var routing: RoutingOptions?

    /// The defaults above.
    public init() {}
}

/// How many connections the server holds and how long each may take, in seconds.
///
/// A connection is in one of three phases: idle (no request in progress), reading a request
/// (header, then body) or answering one. Answering has no time limit (generation may be long);
/// the other phases do, so sockets that send nothing, or send a byte now and then, are closed.
public struct ConnectionLimits: Sendable, Equatable {
    /// Connections open at once. At the cap a new connection takes the place of the one idle the
    /// longest; when none is idle it is answered 503 and closed.
    public var maxConnections = 1024
    /// A connection with no request in progress (new, or between keep-alive requests) is closed
    /// after this long.
    public var idleTimeout: Double = 30
    /// From a request's first byte, its whole header must arrive within this (slowloris).
    public var headerTimeout: Double = 10
    /// From the end of the header, the whole body must arrive within this.
    public var bodyTimeout: Double = 60

    /// The defaults above.
    public init() {}
}
