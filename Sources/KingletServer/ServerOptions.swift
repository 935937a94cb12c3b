/// How `kinglet serve` listens and schedules.
public struct ServerOptions: Sendable {
    /// Address to bind (loopback unless told otherwise).
    public var host = "127.0.0.1"
    /// Port to bind; 0 picks a free one (the URL printed when ready has the real port).
    public var port = 8080
    /// When set, requests need `Authorization: Bearer <apiKey>` (except `GET /health`).
    public var apiKey: String?
    /// Sequences generating at once, batched into one forward pass per step.
    public var parallel = 4
    /// Requests allowed to wait for a slot; beyond that, 429.
    public var queue = 64
    /// Largest request body accepted, in bytes; beyond that, 413.
    public var maxBody = 1 << 20

    /// The defaults above.
    public init() {}
}
