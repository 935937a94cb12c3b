import Foundation
import Testing
@testable import KingletDistill
import KingletRuntime

@Suite struct DistillReportTests {
    /// Writes a run directory in the trainer's format.
    static func makeRun(in root: URL, name: String, kind: String, seed: Int, eval: [(Double, Double)], final: Double?,
                        exports: [String: Double] = [:], extraMetrics: String = "", shipped: [String: Any]? = nil) throws -> URL {
        let dir = root.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let run: [String: Any] = ["name": name, "kind": kind, "seed": seed, "student": "tiny-30M", "parameters": 30_000_000,
                                  "alpha": 0.5, "temperature": 2.0, "divergence": "forward_kl"]
        try JSONSerialization.data(withJSONObject: run).write(to: dir.appendingPathComponent("run.json"))
        var lines = ""
        for (i, (tokens, ce)) in eval.enumerated() {
            lines += "{\"type\": \"train\", \"step\": \(i * 10), \"tokens\": \(tokens), \"loss\": \(ce + 0.1), \"lr\": 0.001, \"grad_norm\": 1.5, "
                + "\"tokens_per_s\": 900, \"gflops\": 12.5, \"elapsed_s\": \(i)}\n"
            lines += "{\"type\": \"eval\", \"step\": \(i * 10), \"tokens\": \(tokens), \"val_ce\": \(ce), \"kl_to_teacher\": \(ce - 2), "
                + "\"top1_agreement\": \(0.9 - ce / 10)}\n"
        }
        try Data((lines + extraMetrics).utf8).write(to: dir.appendingPathComponent("metrics.jsonl"))
        if let final {
            var ex: [String: Any] = [:]
            for (format, ce) in exports {
                ex[format] = ["val_ce": ce, "kl_to_teacher": ce - 2, "top1_agreement": 0.5, "file_bytes": 1_048_576 * 3]
            }
            var e: [String: Any] = ["val_ce": final, "kl_to_teacher": final - 2, "top1_agreement": 0.6, "tokens": eval.last?.0 ?? 0, "exports": ex]
            if let shipped { e["shipped"] = shipped }
            try JSONSerialization.data(withJSONObject: e).write(to: dir.appendingPathComponent("eval.json"))
        }
        return dir
    }

    /// Two baselines (final CE 3.0 and 3.2, mean 3.1), a KD run that crosses 3.1 between 200
    /// (3.5) and 400 (3.0) tokens — at 360 — and one that never does.
    static func fixture() throws -> (root: URL, dirs: [URL]) {
        let root = ScoreFixtures.temporaryDirectory()
        let dirs = [
            try makeRun(in: root, name: "base-1", kind: "baseline", seed: 1, eval: [(0, 4.2), (500, 3.4), (1000, 3.0)], final: 3.0,
                        exports: ["q8_0": 3.01, "q4_0": 3.1]),
            try makeRun(in: root, name: "base-2", kind: "baseline", seed: 2, eval: [(0, 4.2), (500, 3.5), (1000, 3.2)], final: 3.2,
                        exports: ["q8_0": 3.21, "q4_0": 3.3]),
            try makeRun(in: root, name: "kd <b>&\"fast\"", kind: "kd", seed: 1, eval: [(0, 4.0), (200, 3.5), (400, 3.0), (600, 2.8)],
                        final: 2.8, exports: ["q8_0": 2.81, "q4_0": 2.9]),
            try makeRun(in: root, name: "kd-2", kind: "kd", seed: 2, eval: [(0, 4.0), (500, 3.3), (1000, 3.2)], final: 3.2,
                        exports: ["q8_0": 3.21, "q4_0": 3.3]),
        ]
        return (root, dirs)
    }

    @Test func jsonHasRunsSummaryAndTokensToBaseline() throws {
        let (root, dirs) = try Self.fixture()
        let report = try DistillReport.build(runDirectories: dirs)
        let html = root.appendingPathComponent("report.html"), jsonURL = root.appendingPathComponent("report.json")
        try report.write(html: html, json: jsonURL)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: jsonURL)) as? [String: Any])
        let runs = try #require(json["runs"] as? [[String: Any]])
        #expect(runs.map { $0["name"] as? String } == ["base-1", "base-2", "kd <b>&\"fast\"", "kd-2"])
        #expect(runs.map { $0["kind"] as? String } == ["baseline", "baseline", "kd", "kd"])
        #expect(runs.map { $0["val_ce"] as? Double } == [3.0, 3.2, 2.8, 3.2])
        #expect(runs.map { $0["tokens"] as? Double } == [1000, 1000, 600, 1000])
        #expect(abs((runs[2]["kl_to_teacher"] as? Double ?? 0) - 0.8) < 1e-12)
        #expect(runs[2]["top1_agreement"] as? Double == 0.6)
        #expect(abs((runs[2]["tokens_to_baseline"] as? Double ?? 0) - 360) < 1e-9)
        #expect(runs[3]["tokens_to_baseline"] is NSNull)
        #expect(runs[2]["reached_baseline"] as? Bool == true && runs[3]["reached_baseline"] as? Bool == false)
        #expect(runs[0]["tokens_to_baseline"] == nil, "baselines have no tokens-to-baseline")
        let q4 = try #require((runs[2]["exports"] as? [String: Any])?["q4_0"] as? [String: Any])
        #expect(q4["val_ce"] as? Double == 2.9 && q4["file_bytes"] as? Double == 3_145_728)

        let summary = try #require(json["summary"] as? [String: Any])
        let toBaseline = try #require(summary["tokens_to_baseline"] as? [String: Any])
        #expect(abs((toBaseline["target_val_ce"] as? Double ?? 0) - 3.1) < 1e-12)
        #expect(toBaseline["reached"] as? Int == 1 && toBaseline["not_reached"] as? Int == 1)
        #expect(abs((toBaseline["token_ratio"] as? Double ?? 0) - 0.36) < 1e-12)
        let kd = try #require((summary["kinds"] as? [String: Any])?["kd"] as? [String: Any])
        let ce = try #require(kd["val_ce"] as? [String: Any])
        #expect(abs((ce["mean"] as? Double ?? 0) - 3.0) < 1e-12)
        #expect(abs((ce["std"] as? Double ?? 0) - (0.08).squareRoot()) < 1e-12, "sample std of 2.8 and 3.2")
        #expect(ce["n"] as? Int == 2)
        let kdQ8 = try #require(((kd["exports"] as? [String: Any])?["q8_0"] as? [String: Any])?["val_ce"] as? [String: Any])
        #expect(abs((kdQ8["mean"] as? Double ?? 0) - 3.01) < 1e-12)
        #expect(summary["export_formats"] as? [String] == ["q8_0", "q4_0"])
    }

    @Test func htmlIsSelfContainedEscapedAndHasTheCharts() throws {
        let (root, dirs) = try Self.fixture()
        let html = root.appendingPathComponent("report.html")
        try DistillReport.build(runDirectories: dirs).write(html: html, json: root.appendingPathComponent("report.json"))
        let page = try String(contentsOf: html, encoding: .utf8)
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        #expect(page.contains("kd &lt;b&gt;&amp;&#34;fast&#34;"))  // HTML.escape (markupsafe's entities)
        #expect(!page.contains("<b>&"), "names are escaped")
        #expect(page.components(separatedBy: "class=\"chart\"").count - 1 == 3)
        for title in ["Validation cross-entropy", "KL divergence to the teacher", "Top-1 agreement with the teacher"] {
            #expect(page.contains(">\(title)</text>"))
        }
        #expect(page.contains("<polyline"))
        #expect(page.contains("stroke=\"#1f6fb4\"") && page.contains("stroke=\"#d9711c\""), "KD and baseline colours")
        #expect(page.contains("stroke-dasharray=\"7 4\""), "the second seed is dashed")
        #expect(page.contains("not reached") && page.contains("<td>360</td>"))
        #expect(page.contains("After export to Q8_0") && page.contains("After export to Q4_0"))
        #expect(page.contains("3.0000 ± 0.2828"), "per-kind mean ± std")
        #expect(!page.contains("<script") && !page.contains("src=") && !page.contains("href=") && !page.contains("@import"))
    }

    @Test func tokensToReachInterpolatesTheFirstCrossing() {
        let curve: [(tokens: Double, value: Double)] = [(0, 4), (100, 3), (200, 2), (300, 2.5), (400, 1)]
        #expect(CurveCrossing.tokensToReach(3.5, curve: curve) == 50)
        #expect(CurveCrossing.tokensToReach(2.25, curve: curve) == 175, "first crossing, not the later one")
        #expect(CurveCrossing.tokensToReach(4.5, curve: curve) == 0, "already below at the first point")
        #expect(CurveCrossing.tokensToReach(3, curve: curve) == 100, "reaching exactly counts")
        #expect(CurveCrossing.tokensToReach(0.5, curve: curve) == nil, "never reached")
        #expect(CurveCrossing.tokensToReach(1, curve: []) == nil)
    }

    @Test func withoutEvalJSONTheLastEvalLineIsFinalAndACutOffLastLineIsIgnored() throws {
        let root = ScoreFixtures.temporaryDirectory()
        let dir = try Self.makeRun(in: root, name: "running", kind: "kd", seed: 3, eval: [(0, 4), (100, 3.5)], final: nil,
                                   extraMetrics: "{\"type\": \"eval\", \"step\": 2")
        let report = try DistillReport.build(runDirectories: [dir])
        #expect(report.runs[0].figures.valCE == 3.5 && report.runs[0].tokens == 100)
        #expect(report.runs[0].data.eval.count == 2 && report.runs[0].data.train.count == 2)
        #expect(report.baselineFinalValCE == nil && report.runs[0].tokensToBaseline == nil)
        let json = report.jsonObject()
        let run = try #require((json["runs"] as? [[String: Any]])?.first)
        #expect(run["reached_baseline"] is NSNull)
        #expect(report.htmlPage().contains("No baseline run"))
    }

    @Test func badRunFilesAreTypedErrors() throws {
        let root = ScoreFixtures.temporaryDirectory()
        let dir = try Self.makeRun(in: root, name: "x", kind: "kd", seed: 1, eval: [(0, 4)], final: 3)
        let metrics = dir.appendingPathComponent("metrics.jsonl")
        try Data("{\"type\": \"eval\", \"step\": 1}\n{\"type\": \"train\", \"step\": 1, \"tokens\": 1, \"loss\": 2}\n".utf8).write(to: metrics)
        #expect(throws: ReportError.badJSON(path: metrics.path, line: 1, reason: "missing required field 'tokens'")) {
            try DistillReport.build(runDirectories: [dir])
        }
        try Data("{\"name\": \"x\", \"kind\": \"teacher\", \"seed\": 1, \"student\": \"s\", \"parameters\": 1}".utf8)
            .write(to: dir.appendingPathComponent("run.json"))
        #expect(throws: ReportError.self) { try DistillReport.build(runDirectories: [dir]) }
        #expect(throws: ReportError.self) { try DistillReport.build(runDirectories: [root.appendingPathComponent("missing")]) }
        #expect(throws: ReportError.noRuns) { try DistillReport.build(runDirectories: []) }
    }

    @Test func axisTicksAreNiceNumbers() {
        let s = NiceAxis(lo: 0, hi: 1_234_567)
        #expect(s.step == 500_000 && s.lo == 0 && s.hi == 1_500_000)
        #expect(s.ticks.map(s.label) == ["0", "0.5M", "1.0M", "1.5M"])
        let y = NiceAxis(lo: 2.83, hi: 4.12)
        #expect(y.step == 0.5 && y.lo == 2.5 && y.hi == 4.5)
        #expect(y.ticks.map(y.label) == ["2.5", "3.0", "3.5", "4.0", "4.5"])
        let flat = NiceAxis(lo: 3, hi: 3)
        #expect(flat.lo < 3 && flat.hi > 3)
        #expect(NiceAxis(lo: 0, hi: 0.042).label(0.02) == "0.02")
    }
}
