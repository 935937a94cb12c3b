import Foundation
import KingletChatTemplate
import KingletRuntime

extension DistillReport {
    static let kindColor: [RunKind: String] = [.kd: "#1f6fb4", .baseline: "#d9711c"]
    static let dashes = ["", "7 4", "2 3", "9 3 2 3", "4 4 1 4"]

    /// The page: summary, legend, three curves against tokens seen, tables per run and per kind,
    /// the same tables for each export format, the shipped file against the teacher, and greedy
    /// answers side by side. Self-contained: inline CSS and SVG only.
    public func htmlPage() -> String {
        var h = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Kinglet distillation report</title>
        <style>
        body { font: 14px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1340px; padding: 0 1em; color: #222; }
        h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.8em; border-bottom: 1px solid #ddd; }
        table { border-collapse: collapse; margin: .6em 0; } th, td { padding: 3px 10px; border-bottom: 1px solid #e4e4e4; text-align: right; white-space: nowrap; }
        th { background: #f5f5f5; } td.l, th.l { text-align: left; }
        .charts { display: flex; flex-wrap: wrap; gap: 12px; } .chart { background: #fff; border: 1px solid #e4e4e4; }
        .legend span { display: inline-block; margin-right: 1.4em; } .note { color: #555; } .headline { font-size: 1.05em; }
        h3.prompt { font-size: 1em; font-weight: 600; white-space: pre-wrap; margin-bottom: .2em; }
        table.answers { width: 100%; } td.answer { white-space: pre-wrap; vertical-align: top; } table.answers th { width: 11em; vertical-align: top; }
        </style></head><body>
        <h1>Kinglet distillation report</h1>

        """
        h += "<p class=\"note\">\(runs.count) run(s): \(kindCounts()). Curves are evaluations during training; finals come from eval.json.</p>\n"
        h += "<p class=\"headline\">\(headline())</p>\n"
        h += legend()
        h += "<div class=\"charts\">\n"
        h += chart("Validation cross-entropy", "validation CE (nats/token)", { $0.valCE }, reference: baselineFinalValCE.map { SVGChart.Reference(y: $0, label: "baseline final CE") })
        h += chart("KL divergence to the teacher", "KL(teacher ‖ student) (nats)", { $0.klToTeacher }, reference: nil)
        h += chart("Top-1 agreement with the teacher", "top-1 agreement", { $0.top1Agreement }, reference: nil)
        h += "</div>\n"
        if let u = untrainedStudent {
            h += "<p class=\"note\">Before training, the student cut from the teacher: val CE \(Self.fixed(u.valCE ?? .nan)), KL to teacher "
                + "\(Self.fixed(u.klToTeacher ?? .nan)), top-1 agreement \(Self.fixed(u.top1Agreement ?? .nan)) (what distillation heals from).</p>\n"
        }
        h += "<h2>Runs</h2>\n" + runTable()
        h += "<h2>Per kind (mean ± std over seeds)</h2>\n" + kindTable { $0.figures }
        for f in exportFormats {
            h += "<h2>After export to \(HTML.escape(f.uppercased()))</h2>\n"
            h += exportRunTable(f)
            h += kindTable { $0.data.final?.exports?[f] ?? EvalFigures() }
        }
        h += shippedSection()
        h += answersSection()
        return h + "</body></html>\n"
    }

    private func kindCounts() -> String {
        kinds.map { k in "\(runs.filter { $0.kind == k }.count) \(k == .kd ? "distilled" : "baseline")" }.joined(separator: ", ")
    }

    private func headline() -> String {
        guard let target = baselineFinalValCE else { return "No baseline run: tokens to the baseline's cross-entropy cannot be computed." }
        let kd = runs.filter { $0.kind == .kd }
        guard !kd.isEmpty else { return "No distilled run to compare with the baseline (final CE \(Self.fixed(target)))." }
        let reached = kd.compactMap(\.tokensToBaseline)
        var s = "Baseline final validation CE \(Self.fixed(target))"
        if let b = baselineTokens { s += " after \(Self.tokens(b)) tokens" }
        s += ". Distilled runs reach it in \(reached.count) of \(kd.count) run(s)"
        if let m = SeedStatistic(reached) {
            s += ", after \(Self.tokens(m.mean)) tokens on average"
            if let b = baselineTokens, b > 0 { s += String(format: " (%.2f× the baseline's tokens)", m.mean / b) }
        }
        return s + "."
    }

    private func seedDash(_ seed: Int) -> String {
        let seeds = Array(Set(runs.map(\.data.info.seed))).sorted()
        return Self.dashes[(seeds.firstIndex(of: seed) ?? 0) % Self.dashes.count]
    }

    private func legend() -> String {
        var h = "<p class=\"legend\">"
        for r in runs {
            let color = Self.kindColor[r.kind] ?? "#444", dash = seedDash(r.data.info.seed)
            h += "<span><svg width=\"34\" height=\"10\"><line x1=\"0\" y1=\"5\" x2=\"34\" y2=\"5\" stroke=\"\(color)\" stroke-width=\"2\""
                + (dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"") + "/></svg> \(HTML.escape(r.name)) (\(r.kind.rawValue), seed \(r.data.info.seed))</span>"
        }
        return h + "</p>\n"
    }

    private func chart(_ title: String, _ yLabel: String, _ value: (EvalPoint) -> Double?, reference: SVGChart.Reference?) -> String {
        let series = runs.map { r in
            SVGChart.Line(label: "\(r.name) (\(r.kind.rawValue), seed \(r.data.info.seed))", color: Self.kindColor[r.kind] ?? "#444",
                          dash: seedDash(r.data.info.seed), markers: true,
                          points: r.data.eval.compactMap { p in value(p).map { SVGChart.Point(x: p.tokens, y: $0) } })
        }
        return SVGChart(title: title, x: .init("tokens seen", .nice(includingZero: true)), y: .init(yLabel), lines: series,
                        reference: reference).render() + "\n"
    }

    private func runTable() -> String {
        var h = "<table><tr><th class=\"l\">run</th><th class=\"l\">kind</th><th>seed</th><th class=\"l\">student</th><th>parameters</th>"
            + "<th>α</th><th>T</th><th class=\"l\">divergence</th><th>tokens</th><th>val CE</th><th>KL to teacher</th><th>top-1</th>"
            + "<th>tokens to baseline CE</th></tr>\n"
        for r in runs {
            let i = r.data.info
            let reach = r.kind != .kd || baselineFinalValCE == nil ? "—" : r.tokensToBaseline.map(Self.tokens) ?? "not reached"
            h += "<tr><td class=\"l\">\(HTML.escape(i.name))</td><td class=\"l\">\(i.kind.rawValue)</td><td>\(i.seed)</td>"
                + "<td class=\"l\">\(HTML.escape(i.student))</td><td>\(Self.tokens(Double(i.parameters)))</td>"
                + "<td>\(i.alpha.map { Self.fixed($0, 2) } ?? "—")</td><td>\(i.temperature.map { Self.fixed($0, 2) } ?? "—")</td>"
                + "<td class=\"l\">\(HTML.escape(i.divergence ?? "—"))</td><td>\(r.tokens.map(Self.tokens) ?? "—")</td>"
                + figureCells(r.figures) + "<td>\(reach)</td></tr>\n"
        }
        return h + "</table>\n"
    }

    private func exportRunTable(_ format: String) -> String {
        var h = "<table><tr><th class=\"l\">run</th><th class=\"l\">kind</th><th>seed</th><th>file</th><th>val CE</th><th>KL to teacher</th><th>top-1</th></tr>\n"
        for r in runs {
            guard let f = r.data.final?.exports?[format] else { continue }
            h += "<tr><td class=\"l\">\(HTML.escape(r.name))</td><td class=\"l\">\(r.kind.rawValue)</td><td>\(r.data.info.seed)</td>"
                + "<td>\(f.fileBytes.map(Self.bytes) ?? "—")</td>" + figureCells(f) + "</tr>\n"
        }
        return h + "</table>\n"
    }

    private func kindTable(_ figures: (Run) -> EvalFigures) -> String {
        var h = "<table><tr><th class=\"l\">kind</th><th>runs</th><th>val CE</th><th>KL to teacher</th><th>top-1</th></tr>\n"
        for k in kinds {
            h += "<tr><td class=\"l\">\(k.rawValue)</td><td>\(runs.filter { $0.kind == k }.count)</td>"
            h += "<td>\(Self.meanStd(statistic(k) { figures($0).valCE }) { Self.fixed($0) })</td>"
            h += "<td>\(Self.meanStd(statistic(k) { figures($0).klToTeacher }) { Self.fixed($0) })</td>"
            h += "<td>\(Self.meanStd(statistic(k) { figures($0).top1Agreement }, Self.percent))</td></tr>\n"
        }
        return h + "</table>\n"
    }

    private func figureCells(_ f: EvalFigures) -> String {
        "<td>\(f.valCE.map { Self.fixed($0) } ?? "—")</td><td>\(f.klToTeacher.map { Self.fixed($0) } ?? "—")</td>"
            + "<td>\(f.top1Agreement.map(Self.percent) ?? "—")</td>"
    }

    static func meanStd(_ s: SeedStatistic?, _ format: (Double) -> String) -> String {
        guard let s else { return "—" }
        return s.std.map { "\(format(s.mean)) ± \(format($0))" } ?? "\(format(s.mean)) (n=1)"
    }

    static func fixed(_ v: Double, _ decimals: Int = 4) -> String { v.isFinite ? String(format: "%.\(decimals)f", v) : "—" }
    static func percent(_ v: Double) -> String { v.isFinite ? String(format: "%.1f%%", v * 100) : "—" }

    /// 12.3M, 850k, 1.20G.
    static func tokens(_ v: Double) -> String {
        guard v.isFinite else { return "—" }
        let a = abs(v)
        if a >= 1e9 { return String(format: "%.2fG", v / 1e9) }
        if a >= 1e6 { return String(format: "%.2fM", v / 1e6) }
        if a >= 1e4 { return String(format: "%.1fk", v / 1e3) }
        return String(format: "%.0f", v)
    }

    static func bytes(_ v: Double) -> String { String(format: "%.1f MiB", v / 1_048_576) }
}
