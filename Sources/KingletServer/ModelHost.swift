import Foundation
import KingletRuntime

/// The served model's lifecycle: the server answers from the moment it binds, with 503 until the
/// model is loaded (or for good, with the reason, if loading failed).
public final class ModelHost: @unchecked Sendable {
    enum State {
        case loading
        case ready(LoadedModel)
        case failed(String)
    }

    /// The name clients use in `model` and see in `GET /v1/models`.
    public let modelID: String
    private let lock = NSLock()
    private var state = State.loading

    /// A host that is loading the model `modelID`.
    public init(modelID: String) { self.modelID = modelID }

    func set(_ s: State) { lock.withLock { state = s } }

    var current: State { lock.withLock { state } }

    /// The loaded model, or 503 while loading / after a failed load.
    func requireReady() throws(APIError) -> LoadedModel {
        switch current {
        case .ready(let m): return m
        case .loading: throw .unavailable("The model '\(modelID)' is still loading. Retry in a moment (GET /health says when it is ready).")
        case .failed(let why): throw .unavailable("The model '\(modelID)' failed to load: \(why)")
        }
    }

    /// Whether `name` (a request's `model`) means this model: its id (nil or "" means it too).
    func accepts(_ name: String?) -> Bool {
        guard let name, !name.isEmpty else { return true }
        return name == modelID
    }
}

/// A loaded model ready to serve: the engine, its chat template's renderer and the batch scheduler.
final class LoadedModel: Sendable {
    let engine: Engine
    let renderer: PromptRenderer
    let scheduler: BatchScheduler
    let created: Int

    init(engine: Engine, renderer: PromptRenderer, scheduler: BatchScheduler) {
        self.engine = engine
        self.renderer = renderer
        self.scheduler = scheduler
        created = Int(Date().timeIntervalSince1970)
    }

    /// Context length of each sequence.
    var contextLength: Int { engine.config.contextLength }

    /// The responses' `system_fingerprint`: the engine and the model's architecture.
    var systemFingerprint: String { "kinglet-\(engine.config.architecture)" }
}
