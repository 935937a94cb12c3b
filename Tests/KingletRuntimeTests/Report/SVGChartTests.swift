import Foundation
import KingletRuntime
import Testing

/// `SVGChart`: what it draws lands inside the plot, text is escaped, non-finite values are left
/// out, an empty chart says so, and dots carry their error bars.
@Suite struct SVGChartTests {
    typealias P = SVGChart.Point

    /// Each `<tag …>` element of `svg`, up to its closing `>`.
    static func elements(_ tag: String, in svg: String) -> [Substring] {
        svg.components(separatedBy: "<\(tag) ").dropFirst().map { $0.prefix { $0 != ">" } }
    }

    /// The number in `name="…"` of an element.
    static func attribute(_ name: String, of element: Substring) -> Double? {
        let e = " " + element
        guard let r = e.range(of: " \(name)=\"") else { return nil }
        return Double(e[r.upperBound...].prefix { $0 != "\"" })
    }

    /// The `x,y` pairs of a polyline's `points`.
    static func coordinates(of polyline: Substring) throws -> [(x: Double, y: Double)] {
        let list = try #require(polyline.range(of: "points=\"")).upperBound
        return try polyline[list...].prefix { $0 != "\"" }.split(separator: " ").map { pair in
            let xy = pair.split(separator: ",").compactMap { Double($0) }
            try #require(xy.count == 2)
            return (xy[0], xy[1])
        }
    }

    /// The plot's border: the one unfilled rectangle.
    static func plotArea(_ svg: String) throws -> (x: ClosedRange<Double>, y: ClosedRange<Double>) {
        let frame = try #require(elements("rect", in: svg).first { $0.contains("fill=\"none\"") })
        let x = try #require(attribute("x", of: frame)), y = try #require(attribute("y", of: frame))
        let w = try #require(attribute("width", of: frame)), h = try #require(attribute("height", of: frame))
        return (x ... x + w, y ... y + h)
    }

    static let sample = SVGChart(
        title: "loss", x: .init("tokens", .nice(includingZero: true)), y: .init("CE"),
        lines: [.init(label: "a", color: "#123456", dash: "7 4", markers: true, points: [P(x: 100, y: 4.2), P(x: 2000, y: 3.1), P(x: 4100, y: 2.83)]),
                .init(label: "b", color: "#654321", points: [P(x: 0, y: 4.5), P(x: 4100, y: 3.3)])],
        dots: [.init(x: 1500, y: 3.9, xError: 400, label: "m", color: "#abcdef")],
        reference: .init(y: 2.5, label: "goal"))

    @Test func pointsLandInsideThePlotArea() throws {
        let svg = Self.sample.render()
        let area = try Self.plotArea(svg)
        var coordinates = try Self.elements("polyline", in: svg).flatMap(Self.coordinates)
        for circle in Self.elements("circle", in: svg) {
            coordinates.append((try #require(Self.attribute("cx", of: circle)), try #require(Self.attribute("cy", of: circle))))
        }
        #expect(coordinates.count == 5 + 3 + 1, "both lines' points, the markers and the dot")
        for (x, y) in coordinates { #expect(area.x.contains(x) && area.y.contains(y), "(\(x), \(y)) in \(area)") }
        #expect(svg.contains("stroke-dasharray=\"7 4\"") && svg.contains(">goal</text>") && svg.contains("class=\"chart\""))
        // The x axis starts at zero; the reference line (2.5) is inside the y range.
        #expect(svg.contains(">0</text>") && svg.contains(">2.5</text>"))
    }

    @Test func aFixedRangeMapsItsEndsToTheFrame() throws {
        let chart = SVGChart(title: "t", x: .init("share", .fixed(0, 1)), y: .init("accuracy"),
                             lines: [.init(label: "s", color: "#000", points: [P(x: 0, y: 0.5), P(x: 1, y: 0.75)])])
        let svg = chart.render()
        let area = try Self.plotArea(svg)
        let line = try #require(Self.elements("polyline", in: svg).first)
        #expect(try Self.coordinates(of: line).map(\.x) == [area.x.lowerBound, area.x.upperBound])
        for label in ["0", "0.2", "0.4", "0.6", "0.8", "1.0"] { #expect(svg.contains(">\(label)</text>"), "tick \(label)") }
    }

    @Test func textIsEscaped() {
        let evil = "<b>&\"x\""
        let chart = SVGChart(title: evil, x: .init(evil), y: .init(evil),
                             lines: [.init(label: evil, color: "#000", points: [P(x: 0, y: 1), P(x: 1, y: 2)])],
                             dots: [.init(x: 0.5, y: 1.5, label: evil, title: evil, color: "#000")],
                             reference: .init(y: 1.2, label: evil), legend: true)
        let svg = chart.render()
        #expect(!svg.contains("<b>") && !svg.contains("&\""), "nothing raw")
        #expect(svg.components(separatedBy: "&lt;b&gt;&amp;&#34;x&#34;").count - 1 == 9,
                "aria-label, title, two axis titles, line tooltip, dot label and tooltip, reference, legend")
    }

    @Test func withoutDataItSaysSo() {
        let nan = Double.nan
        for chart in [
            SVGChart(title: "empty", x: .init("x"), y: .init("y")),
            SVGChart(title: "all non-finite", x: .init("x"), y: .init("y"), lines: [.init(label: "l", color: "#000", points: [P(x: nan, y: 1), P(x: 2, y: .infinity)])],
                     dots: [.init(x: 1, y: nan, label: "d", color: "#000")], reference: .init(y: 1, label: "r"), legend: true),
        ] {
            let svg = chart.render()
            #expect(svg.contains(">no data</text>") && svg.hasSuffix("</svg>"))
            #expect(!svg.contains("<polyline") && !svg.contains("<circle") && !svg.contains("NaN") && !svg.contains("nan"))
        }
    }

    @Test func nonFiniteValuesAreSkipped() throws {
        let chart = SVGChart(title: "t", x: .init("x"), y: .init("y"),
                             lines: [.init(label: "l", color: "#000", markers: true,
                                           points: [P(x: 0, y: 1), P(x: .nan, y: 2), P(x: 2, y: .infinity), P(x: 3, y: 4)])],
                             dots: [.init(x: .nan, y: 1, label: "gone", color: "#111"), .init(x: 1, y: 2, xError: .infinity, label: "kept", color: "#222")],
                             reference: .init(y: .nan, label: "no reference"))
        let svg = chart.render()
        let polyline = Self.elements("polyline", in: svg)
        #expect(try polyline.count == 1 && Self.coordinates(of: polyline[0]).count == 2)
        #expect(Self.elements("circle", in: svg).count == 2 + 1, "two markers and the finite dot")
        #expect(!svg.contains("gone") && svg.contains(">kept</text>") && !svg.contains("no reference"))
        #expect(!svg.contains("error-bar"), "an infinite error is no bar")
        #expect(!svg.lowercased().contains("nan") && !svg.contains("inf"))
    }

    @Test func dotsHaveTheirErrorBars() throws {
        let chart = SVGChart(title: "speed", x: .init("tokens/s", .padded(0.12)), y: .init("bits per byte", .padded(0.12)),
                             dots: [.init(x: 100, y: 1.1, xError: 30, label: "wide", color: "#111"), .init(x: 300, y: 1.0, label: "none", color: "#222")],
                             width: 560, height: 360)
        let svg = chart.render()
        let area = try Self.plotArea(svg)
        let bars = Self.elements("line", in: svg).filter { $0.contains("error-bar") }
        #expect(bars.count == 1, "only the dot with an error")
        let bar = try #require(bars.first)
        let x1 = try #require(Self.attribute("x1", of: bar)), x2 = try #require(Self.attribute("x2", of: bar))
        let dot = try #require(Self.elements("circle", in: svg).first)
        let cx = try #require(Self.attribute("cx", of: dot))
        #expect(x1 < cx && cx < x2 && abs((cx - x1) - (x2 - cx)) < 0.2, "centred on the dot")
        #expect(area.x.contains(x1) && area.x.contains(x2), "the padded range holds the bar")
    }

    @Test func theLegendNamesEveryLineWithItsStroke() {
        let chart = SVGChart(title: "t", x: .init("x", .fixed(0, 1)), y: .init("y"),
                             lines: [.init(label: "signal", color: "#1f77b4", points: [P(x: 0, y: 0.5), P(x: 1, y: 0.8)]),
                                     .init(label: "random", color: "#777", dash: "5 4", points: [P(x: 0, y: 0.5), P(x: 1, y: 0.8)])],
                             legend: true)
        let svg = chart.render()
        let legend = svg.components(separatedBy: "class=\"legend\"").last ?? ""
        #expect(legend.contains(">signal</text>") && legend.contains(">random</text>") && legend.contains("stroke-dasharray=\"5 4\""))
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 2, "the legend draws no polylines")
    }
}
