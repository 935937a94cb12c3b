import ArgumentParser
import Foundation
import Kinglet
import KingletServer

/// `kinglet route eval` and `kinglet route calibrate`: measure and set the escalation policy of
/// `kinglet serve --upstream`.
struct RouteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "route",
        abstract: "Measure and calibrate local-first routing (serve --upstream).",
        subcommands: [RouteEvalCommand.self, RouteCalibrateCommand.self])
}

/// Runs the local model and the upstream on a labelled set and draws the routing curves.
struct RouteEvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Both models on a labelled set: accuracy against the share escalated, per confidence signal and for random routing (AUROC, APGR, CPT).")

    @Option(name: .customLong("local"), help: ArgumentHelp("The local model: a known name or a .gguf path.", valueName: "model"))
    var local: String
    @Option(name: .shortAndLong, help: "Worker threads (default: physical cores).")
    var threads: Int?
    @Option(name: .long, help: "Context length in tokens.")
    var context = 2048
    @OptionGroup(title: "Upstream") var upstream: UpstreamFlags
    @Option(name: .customLong("data"), help: ArgumentHelp("JSONL: {\"prompt\"|\"messages\", \"answer\", \"match\": exact|contains|regex|choice} per line.", valueName: "file"))
    var data: String
    @Option(name: .customLong("out"), help: ArgumentHelp("Folder for route-eval.json and route-eval.html.", valueName: "dir"))
    var out: String?
    @Option(name: .customLong("max-tokens"), help: "Tokens per answer.")
    var maxTokens = 16
    @Option(help: "Items asked at once.")
    var concurrency = 4
    @Option(help: "Local sequences generated at once.")
    var parallel = 2
    @OptionGroup(title: "Threshold") var target: RouteTargetOptions

    func validate() throws {
        if upstream.upstream == nil {
            throw ValidationError("--upstream is required: the base URL of an OpenAI-compatible server, or a model (a known name or a .gguf path) to serve for it")
        }
        if maxTokens < 1 || concurrency < 1 || parallel < 1 { throw ValidationError("--max-tokens, --concurrency and --parallel must be positive") }
        try validateThreads(threads)
    }

    func run() async throws {
        let items: [EvalItem]
        var options = ServerOptions()
        // A model instead of a URL: serve it from a child process for the evaluation's length.
        var served: LocalUpstream?
        var flags = upstream
        if let value = upstream.upstream, !LocalUpstream.isURL(value) {
            do {
                served = try LocalUpstream(model: value, threads: threads, context: context, parallel: parallel)
            } catch {
                Terminal.status("error: \(error.message)")
                throw ExitCode.failure
            }
            flags.upstream = served?.baseURL
            Terminal.status("upstream: \(value) served at \(served?.baseURL ?? "")")
        }
        defer { served?.stop() }
        do {
            items = try EvalItem.read(data)
            options.routing = try flags.routing(policy: RouteEvalRunner.keepAll)
        } catch {
            Terminal.status("error: \(error.localizedDescription)")
            throw ExitCode.failure
        }
        options.port = 0
        options.logsWarnings = false
        options.parallel = parallel
        options.maxTokensLimit = max(maxTokens, 16)
        let path = try ModelStore().resolve(local) { Terminal.status($0) }
        var engineOptions = EngineOptions(threads: threads, contextLength: context)
        engineOptions.sequences = parallel
        let engine = try ModelOptions.loadEngine(path: path.path, options: engineOptions)
        let server = OpenAIServer(options: options, modelID: ModelStore.modelName(local))
        try server.modelLoaded(engine)
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        var runner = RouteEvalRunner(base: "")
        runner.maxTokens = maxTokens
        runner.concurrency = concurrency
        let total = items.count
        let configured = runner
        let records: [RouteEvaluation.Record] = try await ServerThreads.shared.run {
            try await withThrowingTaskGroup(of: [RouteEvaluation.Record]?.self) { group in
                group.addTask {
                    try await server.application { port in portContinuation.yield(port) }.runService()
                    return nil
                }
                group.addTask {
                    var iterator = ports.makeAsyncIterator()
                    guard let port = await iterator.next() else { return [] }
                    return try await RouteEvalRunner(base: "http://127.0.0.1:\(port)/v1", copying: configured).run(items) { done in
                        if done % 10 == 0 || done == total { Terminal.status("route eval: \(done)/\(total)") }
                    }
                }
                defer { group.cancelAll() }
                while let result = try await group.next() {
                    if let records = result { return records }
                }
                return []
            }
        }
        server.shutdown()
        let evaluation = RouteEvaluation(items: records, localModel: ModelStore.modelName(local), upstream: upstream.upstream ?? "", data: data,
                                         targetEscalation: target.targetQuality == nil ? target.targetEscalation : nil, targetQuality: target.targetQuality)
        print(Self.table(evaluation))
        if let out {
            let dir = URL(fileURLWithPath: out)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try RouteEvaluation.encoder.encode(evaluation).write(to: dir.appendingPathComponent("route-eval.json"))
            try Data(RouteEvalPage.html(evaluation).utf8).write(to: dir.appendingPathComponent("route-eval.html"))
            Terminal.status("wrote \(dir.appendingPathComponent("route-eval.json").path) and route-eval.html")
        }
    }

    static func table(_ e: RouteEvaluation) -> String {
        func f(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "—" }
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        var lines = ["items \(e.items.count)  local accuracy \(f(e.localAccuracy))  upstream accuracy \(f(e.upstreamAccuracy))",
                     pad("signal", 16) + pad("AUROC", 8) + pad("APGR", 8) + pad("CPT50", 8) + pad("CPT80", 8) + pad("threshold", 11) + pad("escalated", 11) + "accuracy"]
        for s in e.signals + [e.random] {
            lines.append(pad(s.name, 16) + pad(f(s.auroc), 8) + pad(f(s.apgr), 8) + pad(f(s.cpt50), 8) + pad(f(s.cpt80), 8)
                         + pad(f(s.threshold), 11) + pad(f(s.escalation), 11) + f(s.accuracy))
        }
        for (family, v) in e.families.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(pad(family, 12)) \(Int(v["items"] ?? 0)) items: local \(f(v["local_accuracy"])), upstream \(f(v["upstream_accuracy"]))")
        }
        return lines.joined(separator: "\n")
    }
}

/// `--target-escalation` / `--target-quality`: which threshold `route eval` reports and
/// `route calibrate` writes.
struct RouteTargetOptions: ParsableArguments {
    @Option(name: .customLong("target-escalation"), help: "The threshold that escalates this share of requests.")
    var targetEscalation = 0.2
    @Option(name: .customLong("target-quality"), help: "Instead: the threshold of the least escalation whose accuracy reaches this.")
    var targetQuality: Double?

    func validate() throws {
        if !(0 ... 1).contains(targetEscalation) { throw ValidationError("--target-escalation must be between 0 and 1") }
        if let q = targetQuality, !(0 ... 1).contains(q) { throw ValidationError("--target-quality must be between 0 and 1") }
    }
}
