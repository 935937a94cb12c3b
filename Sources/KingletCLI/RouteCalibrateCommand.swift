import ArgumentParser
import Foundation
import KingletServer

/// Chooses a signal and threshold from `route eval`'s results and writes the policy file.
struct RouteCalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Write the --route file for serve: the best (or named) signal and the threshold meeting a target, from route-eval.json.")

    @Option(name: .customLong("eval"), help: ArgumentHelp("route-eval.json, or the --out folder of route eval.", valueName: "path"))
    var eval: String
    @Option(help: "The signal (default: the highest APGR).")
    var signal: String?
    @OptionGroup(title: "Threshold") var target: RouteTargetOptions
    @Option(name: .customLong("early"), help: "Decide on the first K tokens (early-decision mode).")
    var early: Int?
    @Option(name: .customLong("out"), help: ArgumentHelp("The policy file to write.", valueName: "file"))
    var out: String

    func validate() throws {
        if let signal, ConfidenceSignal(name: signal) == nil { throw ValidationError("--signal \(signal) is not a signal (mean-logprob, min-logprob, chow-quantile[@Q], mean-entropy)") }
        if let early, early < 1 { throw ValidationError("--early must be at least 1") }
    }

    func run() throws {
        var path = eval
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue { path += "/route-eval.json" }
        let e: RouteEvaluation
        do { e = try RouteEvaluation.read(path) } catch {
            Terminal.status("error: --eval: \(error.localizedDescription) Give the --out folder of `kinglet route eval`, or its route-eval.json.")
            throw ExitCode.failure
        }
        guard let name = signal ?? e.best, let chosen = ConfidenceSignal(name: name) else {
            Terminal.status("error: \(path) has no signals")
            throw ExitCode.failure
        }
        let curve = RoutingCurve(e.items.map { RoutingCurve.Item(localCorrect: $0.localCorrect, upstreamCorrect: $0.upstreamCorrect, score: ($0.scores[name] ?? nil) ?? -.infinity) })
        let threshold: Double
        if let q = target.targetQuality {
            guard let t = curve.threshold(quality: q) else {
                Terminal.status("error: no escalation reaches accuracy \(q) on this set (the upstream's is \(e.upstreamAccuracy)); lower --target-quality")
                throw ExitCode.failure
            }
            threshold = t
        } else {
            threshold = curve.threshold(escalating: target.targetEscalation)
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
