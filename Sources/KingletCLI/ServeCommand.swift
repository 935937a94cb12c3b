import ArgumentParser
import Foundation
import Kinglet
import KingletServer

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the model over an OpenAI-compatible HTTP API (chat/completions, completions, models).")

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "Address to bind. Loopback by default; 0.0.0.0 exposes the server to the network.")
    var host = "127.0.0.1"
    @Option(help: "Port to bind (0: any free port; the ready line says which).")
    var port = 8080
    @Option(name: .customLong("api-key"), help: "Require 'Authorization: Bearer KEY' on every route but /health.")
    var apiKey: String?
    @Option(help: "Sequences generated at once, batched into one forward pass per step.")
    var parallel = 4
    @Option(help: "Requests that may wait for a free slot; more are refused with 429.")
    var queue = 64
    @Option(name: .customLong("max-body"), help: "Largest request body in bytes; larger ones get 413.")
    var maxBody = 1 << 20

    func validate() throws {
        if !(0 ... 65535).contains(port) { throw ValidationError("--port must be between 0 and 65535") }
        if !(1 ... 256).contains(parallel) { throw ValidationError("--parallel must be between 1 and 256") }
        if queue < 0 { throw ValidationError("--queue must be ≥ 0") }
        if maxBody < 1024 { throw ValidationError("--max-body must be at least 1024 bytes") }
        if apiKey?.isEmpty == true { throw ValidationError("--api-key must not be empty") }
    }

    func run() async throws {
        var options = ServerOptions()
        options.host = host
        options.port = port
        options.apiKey = apiKey
        options.parallel = parallel
        options.queue = queue
        options.maxBody = maxBody
        let server = OpenAIServer(options: options, modelID: Self.modelID(modelOptions.model))
        let announcer = ReadyAnnouncer(host: host, modelID: server.host.modelID, parallel: parallel)
        let app = server.application { boundPort in
            Terminal.status("kinglet: listening on http://\(Self.urlHost(host)):\(boundPort) (loading the model; 503 until ready)")
            announcer.bound(boundPort)
        }
        // Load off the cooperative pool; the server answers 503 meanwhile.
        let (model, threads, context) = (modelOptions.model, modelOptions.threads, modelOptions.context)
        let loader = Thread {
            do {
                let path = try ModelStore().resolve(model) { Terminal.status($0) }
                let engine = try Engine(path: path.path, options: EngineOptions(threads: threads, contextLength: context))
                try server.modelLoaded(engine)
                announcer.loaded()
            } catch {
                Terminal.status("error: \(error.message)")
                server.modelFailed(error.message)
            }
        }
        loader.stackSize = 8 << 20
        loader.start()
        do {
            try await app.runService()
        } catch {
            Terminal.status("error: \(error.message)")
            server.shutdown()
            throw ExitCode.failure
        }
        server.shutdown()
    }

    /// The name clients send as `model`: the alias, or the file name without `.gguf`.
    static func modelID(_ model: String?) -> String {
        let m = model ?? KnownModel.defaultAlias
        guard m.hasSuffix(".gguf") || m.contains("/") else { return m }
        let name = (m as NSString).lastPathComponent
        return name.hasSuffix(".gguf") ? String(name.dropLast(5)) : name
    }

    static func urlHost(_ h: String) -> String { h.contains(":") ? "[\(h)]" : h }
}

/// Prints the ready line (stdout) once the socket is bound and the model loaded, in either order.
final class ReadyAnnouncer: @unchecked Sendable {
    private let lock = NSLock()
    private var port: Int?
    private var isLoaded = false
    private let host: String, modelID: String, parallel: Int

    init(host: String, modelID: String, parallel: Int) {
        self.host = host
        self.modelID = modelID
        self.parallel = parallel
    }

    func bound(_ p: Int) { lock.withLock { port = p }; announce() }
    func loaded() { lock.withLock { isLoaded = true }; announce() }

    private func announce() {
        let line: String? = lock.withLock {
            guard let port, isLoaded else { return nil }
            isLoaded = false  // once
            return "kinglet: serving \(modelID) at http://\(ServeCommand.urlHost(host)):\(port)/v1 (\(parallel) parallel)\n"
        }
        if let line { Terminal.out(line) }
    }
}
