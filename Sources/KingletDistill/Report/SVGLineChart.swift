import Foundation
import KingletChatTemplate

/// A line chart as inline SVG: nice-number ticks, light grid, one polyline (with point markers)
/// per series, an optional horizontal reference line. No script, no external asset.
struct SVGLineChart {
    struct Series {
        var label: String
        var color: String
        /// SVG `stroke-dasharray`, "" for a solid line.
        var dash: String
        var points: [(x: Double, y: Double)]
    }

    var title: String
    var xLabel: String
    var yLabel: String
    var series: [Series]
    var reference: (y: Double, label: String)?
    var width = 640.0
    var height = 340.0

    private let left = 70.0, right = 30.0, top = 30.0, bottom = 48.0

    func render() -> String {
        let points = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"\(fmt(width))\" height=\"\(fmt(height))\" "
            + "viewBox=\"0 0 \(fmt(width)) \(fmt(height))\" role=\"img\" aria-label=\"\(HTML.escape(title))\">\n"
        svg += "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n"
        svg += "<text x=\"\(fmt(width / 2))\" y=\"18\" text-anchor=\"middle\" \(Style.title)>\(HTML.escape(title))</text>\n"
        guard !points.isEmpty else {
            return svg + "<text x=\"\(fmt(width / 2))\" y=\"\(fmt(height / 2))\" text-anchor=\"middle\" \(Style.tick)>no data</text>\n</svg>"
        }
        var ys = points.map(\.y)
        if let r = reference, r.y.isFinite { ys.append(r.y) }
        let xs = NiceScale(lo: min(0, points.map(\.x).min() ?? 0), hi: points.map(\.x).max() ?? 1)
        let yScale = NiceScale(lo: ys.min() ?? 0, hi: ys.max() ?? 1)
        let pw = width - left - right, ph = height - top - bottom
        func px(_ x: Double) -> Double { left + (x - xs.lo) / (xs.hi - xs.lo) * pw }
        func py(_ y: Double) -> Double { top + ph - (y - yScale.lo) / (yScale.hi - yScale.lo) * ph }

        for t in yScale.ticks {
            svg += "<line x1=\"\(fmt(left))\" x2=\"\(fmt(left + pw))\" y1=\"\(fmt(py(t)))\" y2=\"\(fmt(py(t)))\" \(Style.grid)/>"
            svg += "<text x=\"\(fmt(left - 6))\" y=\"\(fmt(py(t) + 4))\" text-anchor=\"end\" \(Style.tick)>\(yScale.label(t))</text>\n"
        }
        for t in xs.ticks {
            svg += "<line x1=\"\(fmt(px(t)))\" x2=\"\(fmt(px(t)))\" y1=\"\(fmt(top))\" y2=\"\(fmt(top + ph))\" \(Style.grid)/>"
            svg += "<text x=\"\(fmt(px(t)))\" y=\"\(fmt(top + ph + 16))\" text-anchor=\"middle\" \(Style.tick)>\(xs.label(t))</text>\n"
        }
        svg += "<rect x=\"\(fmt(left))\" y=\"\(fmt(top))\" width=\"\(fmt(pw))\" height=\"\(fmt(ph))\" fill=\"none\" stroke=\"#999\"/>\n"
        svg += "<text x=\"\(fmt(left + pw / 2))\" y=\"\(fmt(height - 8))\" text-anchor=\"middle\" \(Style.axis)>\(HTML.escape(xLabel))</text>\n"
        svg += "<text transform=\"translate(16 \(fmt(top + ph / 2))) rotate(-90)\" text-anchor=\"middle\" \(Style.axis)>\(HTML.escape(yLabel))</text>\n"
        if let r = reference, r.y.isFinite {
            svg += "<line x1=\"\(fmt(left))\" x2=\"\(fmt(left + pw))\" y1=\"\(fmt(py(r.y)))\" y2=\"\(fmt(py(r.y)))\" stroke=\"#666\" stroke-dasharray=\"3 3\"/>"
            svg += "<text x=\"\(fmt(left + pw - 4))\" y=\"\(fmt(py(r.y) - 4))\" text-anchor=\"end\" \(Style.tick)>\(HTML.escape(r.label))</text>\n"
        }
        for s in series {
            let pts = s.points.filter { $0.x.isFinite && $0.y.isFinite }
            guard !pts.isEmpty else { continue }
            let dash = s.dash.isEmpty ? "" : " stroke-dasharray=\"\(s.dash)\""
            svg += "<g><title>\(HTML.escape(s.label))</title>"
            svg += "<polyline fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"2\"\(dash) points=\""
                + pts.map { "\(fmt(px($0.x))),\(fmt(py($0.y)))" }.joined(separator: " ") + "\"/>"
            for p in pts { svg += "<circle cx=\"\(fmt(px(p.x)))\" cy=\"\(fmt(py(p.y)))\" r=\"2.5\" fill=\"\(s.color)\"/>" }
            svg += "</g>\n"
        }
        return svg + "</svg>"
    }

    private func fmt(_ v: Double) -> String { String(format: "%.1f", v) }

    /// Presentation attributes inline, so a chart copied out of the page looks the same.
    private enum Style {
        static let font = "font-family=\"Helvetica, Arial, sans-serif\""
        static let title = "\(font) font-size=\"14\" font-weight=\"600\" fill=\"#222\""
        static let tick = "\(font) font-size=\"11\" fill=\"#555\""
        static let axis = "\(font) font-size=\"12\" fill=\"#333\""
        static let grid = "stroke=\"#eee\""
    }
}

/// An axis range widened to nice numbers (1, 2 or 5 × 10ⁿ steps, about five ticks) and its tick
/// labels, with k/M/G suffixes for large values.
struct NiceScale {
    let lo: Double, hi: Double, step: Double

    init(lo rawLo: Double, hi rawHi: Double, ticks: Int = 5) {
        var a = rawLo, b = rawHi
        if b - a <= 0 {
            let pad = a == 0 ? 1 : abs(a) * 0.05
            a -= pad
            b += pad
        }
        let range = Self.nice(b - a, round: false)
        let s = Self.nice(range / Double(max(ticks - 1, 1)), round: true)
        step = s
        lo = (a / s).rounded(.down) * s
        hi = (b / s).rounded(.up) * s
    }

    var ticks: [Double] {
        let n = Int(((hi - lo) / step).rounded())
        return (0 ... n).map { lo + Double($0) * step }
    }

    /// `v` with as many decimals as the step needs, scaled by k/M/G when the axis is large.
    func label(_ v: Double) -> String {
        let top = max(abs(lo), abs(hi))
        let (scale, suffix): (Double, String) = top >= 1e9 ? (1e9, "G") : top >= 1e6 ? (1e6, "M") : top >= 1e4 ? (1e3, "k") : (1, "")
        let decimals = max(0, Int((-log10(step / scale) - 1e-9).rounded(.up)))
        if abs(v) < step * 1e-9 { return "0" }
        let x = v / scale
        return String(format: "%.\(min(decimals, 6))f", x) + suffix
    }

    /// Heckbert's nice number: the 1, 2, 5 or 10 × 10ⁿ nearest (`round`) or just above `x`.
    static func nice(_ x: Double, round: Bool) -> Double {
        let e = log10(x).rounded(.down)
        let f = x / pow(10, e)
        let n: Double
        if round { n = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10 } else { n = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10 }
        return n * pow(10, e)
    }
}
