import Foundation

extension SVGChart {
    /// The plot area of a chart with data: its frame inside the margins, its axes, and where a
    /// value lands in SVG coordinates.
    struct Plot {
        static let left = 66.0, right = 24.0, top = 32.0, bottom = 48.0

        let x: NiceAxis, y: NiceAxis
        let left = Self.left, top = Self.top, width: Double, height: Double

        /// The axes for the (finite) lines and dots drawn, and the reference line.
        init(_ chart: SVGChart, lines: [Line], dots: [Dot]) {
            let points = lines.flatMap(\.points)
            let xs = points.map(\.x) + dots.flatMap { [$0.x - $0.bar, $0.x + $0.bar] }
            var ys = points.map(\.y) + dots.map(\.y)
            if let r = chart.reference, r.y.isFinite { ys.append(r.y) }
            x = chart.x.resolved(xs)
            y = chart.y.resolved(ys)
            width = chart.width - Self.left - Self.right
            height = chart.height - Self.top - Self.bottom
        }

        var right: Double { left + width }
        var bottom: Double { top + height }

        func px(_ v: Double) -> Double { left + x.fraction(v) * width }
        func py(_ v: Double) -> Double { bottom - y.fraction(v) * height }
    }
}

extension SVGChart.Axis {
    /// The axis over `values` as its range asks.
    func resolved(_ values: [Double]) -> NiceAxis {
        let lo = values.min() ?? 0, hi = values.max() ?? 1
        switch range {
        case .nice(let zero): return NiceAxis(lo: zero ? min(lo, 0) : lo, hi: zero ? max(hi, 0) : hi)
        case .padded(let fraction): return NiceAxis(lo: lo, hi: hi, padding: fraction)
        case .fixed(let a, let b): return NiceAxis(fixed: a, b)
        }
    }
}

extension SVGChart.Dot {
    /// The error bar's half-width: `xError` when finite and above zero, else 0.
    var bar: Double { xError.isFinite && xError > 0 ? xError : 0 }
}
