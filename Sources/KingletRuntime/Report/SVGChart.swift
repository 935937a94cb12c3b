/// A chart as inline SVG, the one chart writer of the HTML reports (distillation runs, model
/// comparison, routing curves): lines and labelled dots on nice-number axes, a light grid, an
/// optional horizontal reference line and legend. No script, no external asset; every text is
/// escaped; points with a non-finite coordinate are left out; without any point it says "no data".
package struct SVGChart: Sendable {
    /// A point of a line.
    package struct Point: Sendable, Equatable {
        package var x: Double, y: Double

        package init(x: Double, y: Double) { (self.x, self.y) = (x, y) }
    }

    /// A polyline through its points, in their order.
    package struct Line: Sendable {
        /// Shown in the legend and as the line's tooltip.
        package var label: String
        package var color: String
        /// SVG `stroke-dasharray`, "" for a solid line.
        package var dash: String
        /// A small dot at every point.
        package var markers: Bool
        package var points: [Point]

        package init(label: String, color: String, dash: String = "", markers: Bool = false, points: [Point]) {
            (self.label, self.color, self.dash, self.markers, self.points) = (label, color, dash, markers, points)
        }
    }

    /// A labelled dot, with a horizontal error bar of ± `xError` when that is above zero.
    package struct Dot: Sendable {
        package var x: Double, y: Double, xError: Double
        /// Written next to the dot.
        package var label: String
        /// The dot's tooltip.
        package var title: String
        package var color: String

        package init(x: Double, y: Double, xError: Double = 0, label: String, title: String? = nil, color: String) {
            (self.x, self.y, self.xError, self.label, self.title, self.color) = (x, y, xError, label, title ?? label, color)
        }
    }

    /// A dashed horizontal line across the plot at `y`, labelled at its right end.
    package struct Reference: Sendable {
        package var y: Double, label: String

        package init(y: Double, label: String) { (self.y, self.label) = (y, label) }
    }

    /// An axis: its title and how its range is found.
    package struct Axis: Sendable {
        package enum Range: Sendable {
            /// The data's range widened to whole ticks; with `includingZero`, 0 is in it.
            case nice(includingZero: Bool)
            /// The data's range widened by this fraction of its span on each side.
            case padded(Double)
            /// Exactly `lo…hi`, whatever the data.
            case fixed(Double, Double)
        }

        package var title: String
        package var range: Range

        package init(_ title: String, _ range: Range = .nice(includingZero: false)) { (self.title, self.range) = (title, range) }
    }

    package var title: String
    package var x: Axis, y: Axis
    package var lines: [Line]
    package var dots: [Dot]
    package var reference: Reference?
    /// A key to the lines in the plot's lower right, which curves rising from the lower left leave empty.
    package var legend: Bool
    package var width: Double, height: Double

    package init(title: String, x: Axis, y: Axis, lines: [Line] = [], dots: [Dot] = [], reference: Reference? = nil,
                 legend: Bool = false, width: Double = 640, height: Double = 340) {
        (self.title, self.x, self.y, self.lines, self.dots) = (title, x, y, lines, dots)
        (self.reference, self.legend, self.width, self.height) = (reference, legend, width, height)
    }
}
