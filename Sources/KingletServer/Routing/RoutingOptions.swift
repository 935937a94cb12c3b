import Foundation
import Logging

/// Where and when `kinglet serve` escalates: the upstream OpenAI-compatible server, its key, the
/// policy, and the bounds on what the upstream may take and send.
public struct RoutingOptions: Sendable {
    /// The upstream's base URL (`http://host:port/v1`; `/v1` is added when missing).
    public var upstream: URL
    /// The `model` sent upstream; nil keeps the client's.
    public var upstreamModel: String?
    /// The upstream's bearer key (never logged; see `UpstreamKey`).
    public var key: UpstreamKey?
    /// When to escalate.
    public var policy: RoutePolicy
    /// Seconds an upstream answer may take from the request to its last byte (a stream is cut
    /// there); also the longest wait for its head.
    public var timeout: Double = 60
    /// Seconds to open a connection to the upstream.
    public var connectTimeout: Double = 5
    /// Largest upstream response read, in bytes (a longer stream is cut there).
    public var maxResponseBytes = 8 << 20
    /// Where escalation failures are told (the key never is).
    public var logger = Logger(label: "kinglet.route")

    public init(upstream: URL, upstreamModel: String? = nil, key: UpstreamKey? = nil, policy: RoutePolicy) {
        self.upstream = upstream
        self.upstreamModel = upstreamModel
        self.key = key
        self.policy = policy
    }

    /// The upstream endpoint for `path` (`chat/completions` or `completions`).
    func endpoint(_ path: String) -> String {
        var base = upstream.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        if !base.hasSuffix("/v1") { base += "/v1" }
        return base + "/" + path
    }
}

/// The upstream's API key. Its description is redacted, so it cannot reach a log or an error by
/// interpolation; only the `Authorization` header reads `secret`.
public struct UpstreamKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    let secret: String
    public init(_ secret: String) { self.secret = secret }
    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}
