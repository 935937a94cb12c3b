import Foundation
import KingletChatTemplate
import KingletRuntime

/// `route-eval.html`: one self-contained page (no scripts, no external files) with the routing
/// curves as inline SVG (accuracy against the share of requests escalated, one line per signal,
/// random routing dashed) and the figures in a table.
public enum RouteEvalPage {
    static let colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]

    public static func html(_ e: RouteEvaluation) -> String {
        let svg = chart(e)
        func f(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "—" }
        var rows = ""
        for s in e.signals + [e.random] {
            rows += "<tr><td>\(escape(s.name))</td><td>\(f(s.auroc))</td><td>\(f(s.apgr))</td><td>\(f(s.cpt50))</td><td>\(f(s.cpt80))</td>"
            rows += "<td>\(f(s.threshold))</td><td>\(f(s.escalation))</td><td>\(f(s.accuracy))</td></tr>\n"
        }
        let target = e.targetQuality.map { "quality \(f($0))" } ?? e.targetEscalation.map { "escalation \(f($0))" } ?? "none"
        return """
        <!doctype html>
        <html><head><meta charset="utf-8"><title>kinglet route eval</title>
        <style>body{font-family:sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child{text-align:left}</style>
        </head><body>
        <h1>Routing curve</h1>
        <p>Local <b>\(escape(e.localModel))</b>: accuracy \(f(e.localAccuracy)). Upstream <b>\(escape(e.upstream))</b>: accuracy \(f(e.upstreamAccuracy)).
        \(e.items.count) items from \(escape(e.data)). Target: \(target).</p>
        \(svg)
        <table><tr><th>signal</th><th>AUROC</th><th>APGR</th><th>CPT(50%)</th><th>CPT(80%)</th><th>threshold</th><th>escalated</th><th>accuracy</th></tr>
        \(rows)</table>
        </body></html>

        """
    }

    /// Accuracy against the share escalated: a line per signal, random routing dashed, the
    /// legend in the lower right, which the curves (rising from the lower left) leave empty.
    static func chart(_ e: RouteEvaluation) -> String {
        func points(_ curve: [[Double]]) -> [SVGChart.Point] { curve.filter { $0.count >= 2 }.map { SVGChart.Point(x: $0[0], y: $0[1]) } }
        let lines = e.signals.enumerated().map { i, s in SVGChart.Line(label: s.name, color: colours[i % colours.count], points: points(s.curve)) }
            + [SVGChart.Line(label: "random", color: "#777", dash: "5 4", points: points(e.random.curve))]
        return SVGChart(title: "Accuracy against share escalated", x: .init("share of requests escalated", .fixed(0, 1)), y: .init("accuracy"),
                        lines: lines, legend: true, width: 640, height: 400).render()
    }

    static func escape(_ s: String) -> String { HTML.escape(s) }
}
