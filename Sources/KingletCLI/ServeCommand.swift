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
    @Option(help: "Sequences generated at once, batched into one forward pass per step.")
    var parallel = 4
    @Option(help: "Requests that may wait for a free slot; more are refused with 429.")
    var queue = 64
    @Flag(name: .customLong("no-prompt-cache"),
          help: "Evaluate every prompt whole. By default each slot keeps its KV cache between requests and a request goes to the slot that shares the longest prefix with its prompt, evaluating only the rest.")
    var noPromptCache = false
    @Option(name: .customLong("prompt-cache"),
            help: ArgumentHelp("Save each slot's KV cache in this folder when the server goes idle and at shutdown, and restore them at start, so a restarted server does not evaluate a conversation or a long system prompt again (created if missing).", valueName: "dir"))
    var promptCacheDirectory: String?
    @OptionGroup(title: "Access") var access: ServeAccessOptions
    @OptionGroup(title: "Limits") var limits: ServeLimitOptions
    @OptionGroup(title: "Routing (local first, escalate when unsure)") var routing: ServeRouteOptions
    @Option(name: .customLong("chat-template-file"),
            help: ArgumentHelp("A Jinja chat template to use instead of the model's (it must parse, or the server does not start).", valueName: "path"))
    var chatTemplateFile: String?

    func validate() throws {
        if !(0 ... 65535).contains(port) { throw ValidationError("--port must be between 0 and 65535") }
        if !(1 ... 256).contains(parallel) { throw ValidationError("--parallel must be between 1 and 256") }
        if queue < 0 { throw ValidationError("--queue must be ≥ 0") }
        if noPromptCache && promptCacheDirectory != nil { throw ValidationError("--prompt-cache DIR keeps the caches that --no-prompt-cache turns off: give one of them") }
    }

    func run() async throws {
        var options = ServerOptions()
        options.host = host
        options.port = port
        options.parallel = parallel
        options.queue = queue
        options.promptCache = !noPromptCache
        do {
            if let dir = promptCacheDirectory {
                options.promptCacheDirectory = try Self.cacheFolder(dir)
            }
            try access.apply(to: &options)
            try limits.apply(to: &options)
            try routing.apply(to: &options)
            options.chatTemplate = try chatTemplateFile.map(Self.readTemplate)
        } catch {
            Terminal.status("error: \(error.message)")
            throw ExitCode.failure
        }
        let server = OpenAIServer(options: options, modelID: ModelStore.modelName(modelOptions.model))
        let announcer = ReadyAnnouncer(host: host, modelID: server.host.modelID, parallel: parallel)
        let app = server.application { boundPort in
            Terminal.status("kinglet: listening on http://\(Self.urlHost(host)):\(boundPort) (loading the model; 503 until ready)")
            announcer.bound(boundPort)
        }
        // Load off the cooperative pool; the server answers 503 meanwhile.
        let (model, threads, context, kvCache) = (modelOptions.model, modelOptions.threads, modelOptions.context, modelOptions.kvCache)
        let parallel = self.parallel
        let loader = Thread {
            do {
                let path = try ModelStore().resolve(model) { Terminal.status($0) }
                var engineOptions = EngineOptions(threads: threads, contextLength: context)
                engineOptions.cachePrecision = kvCache
                engineOptions.sequences = parallel  // every slot may hold a full KV cache
                let engine = try ModelOptions.loadEngine(path: path.path, options: engineOptions)
                try server.modelLoaded(engine, note: { Terminal.status($0) })
                announcer.loaded()
            } catch {
                // Refuse to serve rather than answer every request with the load failure.
                let slots = error is CLIError && parallel > 1 ? " (each of the --parallel \(parallel) slots holds one)" : ""
                Terminal.status("error: \(error.message)\(slots)")
                server.modelFailed(error.message)
                Foundation.exit(1)
            }
        }
        loader.stackSize = 8 << 20
        loader.start()
        do {
            try await ServerThreads.shared.run { try await app.runService() }
        } catch {
            Terminal.status("error: \(error.message)")
            server.shutdown()
            throw ExitCode.failure
        }
        server.shutdown()
    }

    /// The `--prompt-cache` folder, created if missing.
    static func cacheFolder(_ path: String) throws -> URL {
        let url = URL(fileURLWithPath: path)
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw CLIError(text: "--prompt-cache \(path): cannot create the folder (\(error.localizedDescription)). Give a writable folder.")
        }
        return url
    }

    static func urlHost(_ h: String) -> String { h.contains(":") ? "[\(h)]" : h }

    /// The template in `path`, parsed (so a broken one stops the server before it starts).
    static func readTemplate(_ path: String) throws(FlagError) -> ChatTemplate {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw FlagError("--chat-template-file \(path): cannot read it (\((error as NSError).localizedFailureReason ?? error.localizedDescription))")
        }
        do {
            return try ChatTemplate(source: text)
        } catch {
            throw FlagError("--chat-template-file \(path) does not parse: \(error.message)")
        }
    }
}

/// A flag whose value cannot be used (a file that cannot be read, a key that is empty): said
/// with the flag's name, without the usage text.
struct FlagError: Error, LocalizedError {
    let text: String
    init(_ text: String) { self.text = text }
    var errorDescription: String? { text }
}

/// Who may call the server: API key, `Host` names, web origins.
struct ServeAccessOptions: ParsableArguments {
    static let keyVariable = "KINGLET_API_KEY"

    @Option(name: .customLong("api-key"),
            help: ArgumentHelp("Require 'Authorization: Bearer KEY' on every route but /health. Every local user can read it in `ps`: prefer --api-key-file or \(keyVariable).",
                               valueName: "key"))
    var apiKey: String?
    @Option(name: .customLong("api-key-file"), help: ArgumentHelp("Read the API key from this file (one line).", valueName: "path"))
    var apiKeyFile: String?
    @Option(name: .customLong("allowed-host"),
            help: ArgumentHelp("A Host name to answer besides localhost, 127.0.0.1 and [::1] (repeatable; * for any). Others get 403.", valueName: "name"))
    var allowedHosts: [String] = []
    @Option(name: .customLong("cors-origin"),
            help: ArgumentHelp("A web origin whose pages may call the API, e.g. https://app.example (repeatable; * for any). Requests from other pages get 403.",
                               valueName: "origin"))
    var corsOrigins: [String] = []

    func validate() throws {
        if apiKey != nil && apiKeyFile != nil { throw ValidationError("give --api-key or --api-key-file, not both") }
        if apiKey?.isEmpty == true { throw ValidationError("--api-key must not be empty") }
        for h in allowedHosts where h.isEmpty || h.contains(where: { $0 == "/" || $0.isWhitespace }) {
            throw ValidationError("--allowed-host takes a host name such as kinglet.local (got '\(h)')")
        }
        for o in corsOrigins where o != "*" && !Self.isOrigin(o) {
            throw ValidationError("--cors-origin takes an origin such as https://app.example or http://localhost:3000, or * (got '\(o)')")
        }
    }

    /// `scheme://host[:port]`, nothing after (or `null`, the origin of sandboxed pages and files).
    static func isOrigin(_ s: String) -> Bool {
        guard let r = s.range(of: "://"), r.lowerBound > s.startIndex else { return s == "null" }
        var rest = s[r.upperBound...]
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        return !rest.isEmpty && !rest.contains("/")
    }

    /// The key: --api-key, else --api-key-file, else $KINGLET_API_KEY, else none.
    func resolveKey(environment: [String: String] = ProcessInfo.processInfo.environment) throws(FlagError) -> String? {
        do {
            if let apiKey { return try APIKey.checked(apiKey, source: "--api-key") }
            if let apiKeyFile { return try APIKey.read(file: apiKeyFile) }
            if let env = environment[Self.keyVariable] {
                return try APIKey.checked(env.trimmingCharacters(in: .whitespacesAndNewlines), source: "the environment")
            }
            return nil
        } catch {
            let flag = apiKey != nil ? "--api-key" : apiKeyFile != nil ? "--api-key-file" : Self.keyVariable
            throw FlagError("\(flag): \(error.message)")
        }
    }

    func apply(to options: inout ServerOptions) throws(FlagError) {
        options.apiKey = try resolveKey()
        options.allowedHosts = allowedHosts
        options.corsOrigins = corsOrigins
    }
}

/// How much the server holds and for how long.
struct ServeLimitOptions: ParsableArguments {
    private static let defaults = ServerOptions()

    @Option(name: .customLong("max-body"), help: ArgumentHelp("Largest request body in bytes; larger ones get 413.", valueName: "bytes"))
    var maxBody = defaults.maxBody
    @Option(name: .customLong("max-tokens-limit"),
            help: ArgumentHelp("Largest max_tokens a request may ask for (400 above it); also the limit of a request that names none.", valueName: "n"))
    var maxTokensLimit = defaults.maxTokensLimit ?? 4096
    @Option(name: .customLong("max-connections"),
            help: ArgumentHelp("Connections held at once. At the cap a new one replaces the connection idle the longest; with none idle it gets 503.",
                               valueName: "n"))
    var maxConnections = defaults.connections.maxConnections
    @Option(name: .customLong("idle-timeout"), help: ArgumentHelp("Seconds a connection may stay open with no request in progress.", valueName: "seconds"))
    var idleTimeout = defaults.connections.idleTimeout
    @Option(name: .customLong("header-timeout"),
            help: ArgumentHelp("Seconds to send a request's header, from its first byte (slow senders get 408).", valueName: "seconds"))
    var headerTimeout = defaults.connections.headerTimeout
    @Option(name: .customLong("body-timeout"), help: ArgumentHelp("Seconds to send a request's body, from the end of its header.", valueName: "seconds"))
    var bodyTimeout = defaults.connections.bodyTimeout

    func validate() throws {
        if maxBody < 1024 { throw ValidationError("--max-body must be at least 1024 bytes") }
        if maxTokensLimit < 1 { throw ValidationError("--max-tokens-limit must be at least 1") }
        if !(1 ... 1_000_000).contains(maxConnections) { throw ValidationError("--max-connections must be between 1 and 1000000") }
        for (flag, v) in [("--idle-timeout", idleTimeout), ("--header-timeout", headerTimeout), ("--body-timeout", bodyTimeout)]
        where !(v.isFinite && v > 0 && v <= 86_400) {
            throw ValidationError("\(flag) must be between 0 and 86400 seconds (got \(v))")
        }
    }

    func apply(to options: inout ServerOptions) throws(FlagError) {
        options.maxBody = maxBody
        options.maxTokensLimit = maxTokensLimit
        options.connections.maxConnections = Self.connectionsWithinFileLimit(maxConnections)
        options.connections.idleTimeout = idleTimeout
        options.connections.headerTimeout = headerTimeout
        options.connections.bodyTimeout = bodyTimeout
    }

    /// Every connection is a file descriptor: raises the soft open-file limit to fit `wanted`
    /// (plus room for the model, pipes and a connection being refused); when the hard limit is
    /// lower, says so and returns how many fit.
    static func connectionsWithinFileLimit(_ wanted: Int) -> Int {
        let spare = 64
        var limit = rlimit()
        guard getrlimit(fileLimitResource, &limit) == 0 else { return wanted }
        let need = rlim_t(wanted + spare)
        if limit.rlim_cur < need {
            limit.rlim_cur = min(need, limit.rlim_max)
            _ = setrlimit(fileLimitResource, &limit)
            _ = getrlimit(fileLimitResource, &limit)
        }
        guard limit.rlim_cur < need else { return wanted }
        let fit = max(1, Int(limit.rlim_cur) - spare)
        Terminal.status("kinglet: the open-file limit is \(limit.rlim_cur), so --max-connections is lowered to \(fit) (raise `ulimit -n` to hold \(wanted))")
        return fit
    }

    #if os(Linux)
    static let fileLimitResource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    static let fileLimitResource = RLIMIT_NOFILE
    #endif
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
