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
    @Option(name: .customLong("target-escalation"), help: "Report the thresholds that escalate this share of requests.")
    var targetEscalation = 0.2
    @Option(name: .customLong("target-quality"), help: "Report instead the thresholds of the least escalation reaching this accuracy.")
    var targetQuality: Double?

    func validate() throws {
        if upstream.upstream == nil { throw ValidationError("--upstream is required (the base URL of an OpenAI-compatible server)") }
        if !(0 ... 1).contains(targetEscalation) { throw ValidationError("--target-escalation must be between 0 and 1") }
        if let q = targetQuality, !(0 ... 1).contains(q) { throw ValidationError("--target-quality must be between 0 and 1") }
        if maxTokens < 1 || concurrency < 1 || parallel < 1 { throw ValidationError("--max-tokens, --concurrency and --parallel must be positive") }
    }

    func run() async throws {
        let items: [EvalItem]
        var options = ServerOptions()
        do {
            items = try EvalItem.read(data)
            options.routing = try upstream.routing(policy: RouteEvalRunner.keepAll)
        } catch {
            Terminal.status("error: \(error.localizedDescription)")
            throw ExitCode.failure
        }
        options.port = 0
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
                                         targetEscalation: targetQuality == nil ? targetEscalation : nil, targetQuality: targetQuality)
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

/// Chooses a signal and threshold from `route eval`'s results and writes the policy file.
struct RouteCalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Write the --route file for serve: the best (or named) signal and the threshold meeting a target, from route-eval.json.")

    @Option(name: .customLong("eval"), help: ArgumentHelp("route-eval.json, or the --out folder of route eval.", valueName: "path"))
    var eval: String
    @Option(help: "The signal (default: the highest APGR).")
    var signal: String?
    @Option(name: .customLong("target-escalation"), help: "Share of requests to escalate.")
    var targetEscalation = 0.2
    @Option(name: .customLong("target-quality"), help: "Instead: the least escalation whose accuracy reaches this.")
    var targetQuality: Double?
    @Option(name: .customLong("early"), help: "Decide on the first K tokens (early-decision mode).")
    var early: Int?
    @Option(name: .customLong("out"), help: ArgumentHelp("The policy file to write.", valueName: "file"))
    var out: String

    func validate() throws {
        if let signal, ConfidenceSignal(name: signal) == nil { throw ValidationError("--signal \(signal) is not a signal (mean-logprob, min-logprob, chow-quantile[@Q], mean-entropy)") }
        if !(0 ... 1).contains(targetEscalation) { throw ValidationError("--target-escalation must be between 0 and 1") }
        if let early, early < 1 { throw ValidationError("--early must be at least 1") }
    }

    func run() throws {
        var path = eval
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue { path += "/route-eval.json" }
        let e: RouteEvaluation
        do { e = try RouteEvaluation.read(path) } catch {
            Terminal.status("error: --eval: \(error.localizedDescription)")
            throw ExitCode.failure
        }
        guard let name = signal ?? e.best, let chosen = ConfidenceSignal(name: name) else {
            Terminal.status("error: \(path) has no signals")
            throw ExitCode.failure
        }
        let curve = RoutingCurve(e.items.map { RoutingCurve.Item(localCorrect: $0.localCorrect, upstreamCorrect: $0.upstreamCorrect, score: ($0.scores[name] ?? nil) ?? -.infinity) })
        let threshold: Double
        if let q = targetQuality {
            guard let t = curve.threshold(quality: q) else {
                Terminal.status("error: no escalation reaches accuracy \(q) on this set (the upstream's is \(e.upstreamAccuracy)); lower --target-quality")
                throw ExitCode.failure
            }
            threshold = t
        } else {
            threshold = curve.threshold(escalating: targetEscalation)
        }
        guard threshold.isFinite else {
            Terminal.status("error: the threshold is not finite (answers without tokens); choose another --signal or target")
            throw ExitCode.failure
        }
        let policy = RoutePolicy(signal: chosen, threshold: threshold, earlyTokens: early)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(policy).write(to: URL(fileURLWithPath: out))
        let k = curve.sortedScores.filter { $0 < threshold }.count
        print("\(chosen) < \(threshold) escalates \(k)/\(curve.count) on this set; accuracy \(String(format: "%.3f", curve.accuracy[k])) "
              + "(local \(String(format: "%.3f", e.localAccuracy)), upstream \(String(format: "%.3f", e.upstreamAccuracy))); AUROC "
              + (curve.auroc.map { String(format: "%.3f", $0) } ?? "—"))
        print("wrote \(out): kinglet serve --upstream URL --route \(out)")
    }
}
