import Foundation
import KingletChatTemplate

extension SVGChart {
    /// The chart as one `<svg class="chart">` element.
    package func render() -> String {
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"\(f(width))\" height=\"\(f(height))\" "
            + "viewBox=\"0 0 \(f(width)) \(f(height))\" role=\"img\" aria-label=\"\(esc(title))\">\n"
        svg += "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n"
        svg += "<text x=\"\(f(width / 2))\" y=\"20\" text-anchor=\"middle\" \(Style.title)>\(esc(title))</text>\n"
        let lines = self.lines.map { l in
            var l = l
            l.points = l.points.filter { $0.x.isFinite && $0.y.isFinite }
            return l
        }.filter { !$0.points.isEmpty }
        let dots = self.dots.filter { $0.x.isFinite && $0.y.isFinite }
        guard !lines.isEmpty || !dots.isEmpty else {
            return svg + "<text x=\"\(f(width / 2))\" y=\"\(f(height / 2))\" text-anchor=\"middle\" \(Style.tick)>no data</text>\n</svg>"
        }
        let plot = Plot(self, lines: lines, dots: dots)
        svg += frame(plot)
        if let r = reference, r.y.isFinite {
            svg += "<line x1=\"\(f(plot.left))\" x2=\"\(f(plot.right))\" y1=\"\(f(plot.py(r.y)))\" y2=\"\(f(plot.py(r.y)))\" stroke=\"#666\" stroke-dasharray=\"3 3\"/>"
            svg += "<text x=\"\(f(plot.right - 4))\" y=\"\(f(plot.py(r.y) - 4))\" text-anchor=\"end\" \(Style.tick)>\(esc(r.label))</text>\n"
        }
        for l in lines { svg += line(l, plot) }
        for d in dots { svg += dot(d, plot) }
        if legend { svg += key(lines, plot) }
        return svg + "</svg>"
    }

    /// Grid lines and tick labels on both axes, the plot's border and the axis titles.
    private func frame(_ p: Plot) -> String {
        var s = ""
        for t in p.y.ticks {
            s += "<line x1=\"\(f(p.left))\" x2=\"\(f(p.right))\" y1=\"\(f(p.py(t)))\" y2=\"\(f(p.py(t)))\" \(Style.grid)/>"
            s += "<text x=\"\(f(p.left - 6))\" y=\"\(f(p.py(t) + 4))\" text-anchor=\"end\" \(Style.tick)>\(p.y.label(t))</text>\n"
        }
        for t in p.x.ticks {
            s += "<line x1=\"\(f(p.px(t)))\" x2=\"\(f(p.px(t)))\" y1=\"\(f(p.top))\" y2=\"\(f(p.bottom))\" \(Style.grid)/>"
            s += "<text x=\"\(f(p.px(t)))\" y=\"\(f(p.bottom + 16))\" text-anchor=\"middle\" \(Style.tick)>\(p.x.label(t))</text>\n"
        }
        s += "<rect x=\"\(f(p.left))\" y=\"\(f(p.top))\" width=\"\(f(p.width))\" height=\"\(f(p.height))\" fill=\"none\" stroke=\"#999\"/>\n"
        s += "<text x=\"\(f(p.left + p.width / 2))\" y=\"\(f(height - 8))\" text-anchor=\"middle\" \(Style.axis)>\(esc(x.title))</text>\n"
        s += "<text transform=\"translate(16 \(f(p.top + p.height / 2))) rotate(-90)\" text-anchor=\"middle\" \(Style.axis)>\(esc(y.title))</text>\n"
        return s
    }

    /// A polyline with its label as tooltip, and its markers.
    private func line(_ l: Line, _ p: Plot) -> String {
        var s = "<g><title>\(esc(l.label))</title>"
        s += "<polyline fill=\"none\" stroke=\"\(esc(l.color))\" stroke-width=\"2\"\(dash(l.dash)) points=\""
            + l.points.map { "\(f(p.px($0.x))),\(f(p.py($0.y)))" }.joined(separator: " ") + "\"/>"
        if l.markers {
            for q in l.points { s += "<circle cx=\"\(f(p.px(q.x)))\" cy=\"\(f(p.py(q.y)))\" r=\"2.5\" fill=\"\(esc(l.color))\"/>" }
        }
        return s + "</g>\n"
    }

    /// A dot with its error bar and its label, written on the side with room for it.
    private func dot(_ d: Dot, _ p: Plot) -> String {
        let cx = p.px(d.x), cy = p.py(d.y), color = esc(d.color)
        var s = ""
        if d.bar > 0 {
            s += "<line class=\"error-bar\" x1=\"\(f(p.px(d.x - d.bar)))\" x2=\"\(f(p.px(d.x + d.bar)))\" y1=\"\(f(cy))\" y2=\"\(f(cy))\" "
                + "stroke=\"\(color)\" stroke-width=\"1.5\"/>"
        }
        s += "<circle cx=\"\(f(cx))\" cy=\"\(f(cy))\" r=\"5\" fill=\"\(color)\"><title>\(esc(d.title))</title></circle>"
        let end = cx > p.left + 0.7 * p.width
        s += "<text x=\"\(f(cx + (end ? -8 : 8)))\" y=\"\(f(cy - 7))\" text-anchor=\"\(end ? "end" : "start")\" fill=\"\(color)\" "
            + "\(Style.label)>\(esc(d.label))</text>\n"
        return s
    }

    /// The legend: a stroke of each line's colour and dash and its label, bottom right in the plot.
    private func key(_ lines: [Line], _ p: Plot) -> String {
        let w = 34 + 6.5 * Double(lines.map(\.label.count).max() ?? 0), h = 8 + 16 * Double(lines.count)
        let x0 = p.right - 8 - w, y0 = p.bottom - 8 - h
        var s = "<g class=\"legend\"><rect x=\"\(f(x0))\" y=\"\(f(y0))\" width=\"\(f(w))\" height=\"\(f(h))\" fill=\"#fff\" fill-opacity=\"0.85\" stroke=\"#ddd\"/>"
        for (i, l) in lines.enumerated() {
            let y = y0 + 12 + 16 * Double(i)
            s += "<line x1=\"\(f(x0 + 6))\" x2=\"\(f(x0 + 26))\" y1=\"\(f(y))\" y2=\"\(f(y))\" stroke=\"\(esc(l.color))\" stroke-width=\"2\"\(dash(l.dash))/>"
            s += "<text x=\"\(f(x0 + 30))\" y=\"\(f(y + 4))\" \(Style.tick)>\(esc(l.label))</text>"
        }
        return s + "</g>\n"
    }

    private func dash(_ d: String) -> String { d.isEmpty ? "" : " stroke-dasharray=\"\(esc(d))\"" }

    private func f(_ v: Double) -> String { String(format: "%.1f", v) }

    private func esc(_ s: String) -> String { HTML.escape(s) }

    /// Presentation attributes inline, so a chart copied out of the page looks the same.
    private enum Style {
        static let font = "font-family=\"Helvetica, Arial, sans-serif\""
        static let title = "\(font) font-size=\"14\" font-weight=\"600\" fill=\"#222\""
        static let tick = "\(font) font-size=\"11\" fill=\"#555\""
        static let label = "\(font) font-size=\"11\""
        static let axis = "\(font) font-size=\"12\" fill=\"#333\""
        static let grid = "stroke=\"#eee\""
    }
}
