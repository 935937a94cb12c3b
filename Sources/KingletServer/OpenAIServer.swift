import Foundation
import Hummingbird
import KingletRuntime
import Logging

/// Kinglet's OpenAI-compatible HTTP server: the route table, the model's lifecycle and the batch
/// scheduler, put together.
///
/// ```swift
/// let server = OpenAIServer(options: options, modelID: "smollm2-135m")
/// let app = server.application { port in print("listening on \(port)") }
/// async let running: Void = app.runService()
/// try server.modelLoaded(Engine(path: path))   // 503 until here
/// ```
public final class OpenAIServer: Sendable {
    /// How the server listens and schedules.
    public let options: ServerOptions
    /// The served model's state (loading, ready, failed).
    public let host: ModelHost
    /// Counters behind `GET /metrics`.
    public let metrics: ServerMetrics
    /// The client for escalations when `options.routing` is set.
    let upstream: UpstreamClient?

    /// A server for the model clients will call `modelID`; it answers 503 until `modelLoaded`.
    public init(options: ServerOptions, modelID: String) {
        self.options = options
        host = ModelHost(modelID: modelID)
        metrics = ServerMetrics()
        upstream = options.routing.map(UpstreamClient.init)
    }

    deinit {
        // The HTTP client must be shut down before it is freed; the task holds it until then.
        if let upstream { Task { await upstream.shutdown() } }
    }

    /// Starts serving `engine`: builds its chat formatter (with `options.chatTemplate` when set)
    /// and starts the scheduler thread, which first restores the slots' caches from
    /// `options.promptCacheDirectory` when set. `note` hears what it restored and the cache
    /// files it refused or could not write.
    public func modelLoaded(_ engine: Engine, note: @escaping @Sendable (String) -> Void = { _ in }) throws {
        let formatter = try options.chatTemplate.map { ChatFormatter(engine: engine, template: $0, source: "--chat-template-file") }
            ?? ChatFormatter(engine: engine)
        let renderer = PromptRenderer(formatter: formatter, timeout: options.templateTimeout)
        let placement: any SlotPlacementPolicy = options.promptCache ? LongestCachedPrefix() : FirstFreeSlot()
        let store = options.promptCacheDirectory.map { SlotCacheStore(directory: $0, engine: engine, note: note) }
        let scheduler = BatchScheduler(engine: engine, parallel: options.parallel, queueLimit: options.queue, metrics: metrics,
                                       placement: placement, store: store)
        scheduler.start()
        host.set(.ready(LoadedModel(engine: engine, renderer: renderer, scheduler: scheduler)))
    }

    /// Records why the model could not be loaded (served as 503 with this message).
    public func modelFailed(_ message: String) {
        host.set(.failed(message))
    }

    /// Stops the scheduler thread (pending requests end as cancelled) and waits for it, so the
    /// slots' caches are saved when there is a cache folder.
    public func shutdown() {
        if case .ready(let m) = host.current { m.scheduler.stop() }
    }

    /// The Hummingbird application bound to `options.host:port`; `onRunning` gets the real port
    /// once the socket is bound (useful with port 0).
    public func application(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        var logger = Logger(label: "kinglet.server")
        logger.logLevel = options.logsWarnings ? .warning : .critical
        let router = buildRouter(host: host, metrics: metrics, options: options, upstream: upstream)
        return Application(
            router: router,
            server: GuardedHTTP1Channel.builder(limits: options.connections, metrics: metrics),
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "kinglet"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }
}
