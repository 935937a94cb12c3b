import Foundation
import KingletChatTemplate

/// `route-eval.html`: one self-contained page (no scripts, no external files) with the routing
/// curves as inline SVG (accuracy against the share of requests escalated, one line per signal,
/// random routing dashed) and the figures in a table.
public enum RouteEvalPage {
    static let colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]

    public static func html(_ e: RouteEvaluation) -> String {
        let (w, h, pad) = (640.0, 400.0, 50.0)
        let lo = min(e.localAccuracy, e.upstreamAccuracy, e.signals.flatMap { $0.curve.map { $0[1] } }.min() ?? 0)
        let hi = max(e.localAccuracy, e.upstreamAccuracy, e.signals.flatMap { $0.curve.map { $0[1] } }.max() ?? 1)
        let span = max(hi - lo, 1e-9)
        func x(_ v: Double) -> String { String(format: "%.1f", pad + v * (w - 2 * pad)) }
        func y(_ v: Double) -> String { String(format: "%.1f", h - pad - (v - lo) / span * (h - 2 * pad)) }
        func line(_ points: [[Double]]) -> String { points.map { "\(x($0[0])),\(y($0[1]))" }.joined(separator: " ") }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        svg += "<rect x=\"\(x(0))\" y=\"\(y(hi))\" width=\"\(w - 2 * pad)\" height=\"\(h - 2 * pad)\" fill=\"none\" stroke=\"#999\"/>\n"
        for t in stride(from: 0.0, through: 1.0, by: 0.2) {
            svg += "<text x=\"\(x(t))\" y=\"\(h - pad + 16)\" text-anchor=\"middle\">\(Int(t * 100))%</text>\n"
        }
        for t in [lo, (lo + hi) / 2, hi] {
            svg += "<text x=\"\(pad - 6)\" y=\"\(y(t))\" text-anchor=\"end\">\(String(format: "%.2f", t))</text>\n"
        }
        svg += "<text x=\"\(w / 2)\" y=\"\(h - 10)\" text-anchor=\"middle\">share of requests escalated</text>\n"
        svg += "<text x=\"14\" y=\"\(h / 2)\" transform=\"rotate(-90 14 \(h / 2))\" text-anchor=\"middle\">accuracy</text>\n"
        svg += "<polyline points=\"\(line(e.random.curve))\" fill=\"none\" stroke=\"#777\" stroke-dasharray=\"5,4\"/>\n"
        for (i, s) in e.signals.enumerated() {
            svg += "<polyline points=\"\(line(s.curve))\" fill=\"none\" stroke=\"\(colours[i % colours.count])\" stroke-width=\"1.5\"/>\n"
        }
        // The legend in the lower right, which the curves (rising from the lower left) leave empty.
        let names = e.signals.map(\.name) + ["random"]
        for (i, name) in names.enumerated() {
            let colour = name == "random" ? "#777" : colours[i % colours.count]
            let ly = h - pad - 12 - Double(names.count - 1 - i) * 16
            svg += "<line x1=\"\(w - pad - 150)\" y1=\"\(ly)\" x2=\"\(w - pad - 130)\" y2=\"\(ly)\" stroke=\"\(colour)\" stroke-width=\"2\"/>"
            svg += "<text x=\"\(w - pad - 125)\" y=\"\(ly + 4)\">\(escape(name))</text>\n"
        }
        svg += "</svg>"
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

    static func escape(_ s: String) -> String { HTML.escape(s) }
}
