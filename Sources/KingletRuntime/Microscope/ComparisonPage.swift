import Foundation
import KingletChatTemplate

/// A ``ComparisonReport`` as one self-contained HTML page: the command and machine at the top,
/// a table with ± for every measured figure, two charts as inline SVG (speed against quality,
/// memory against quality; quality in bits per byte, which compares across tokenizers) and the
/// greedy continuations side by side with the first divergence from the reference marked.
public struct ComparisonPage: Sendable {
    public let report: ComparisonReport

    public init(_ report: ComparisonReport) { self.report = report }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"]

    public var html: String {
        let r = report
        var h = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Kinglet comparison</title>
        <style>
        body{font:14px/1.45 -apple-system,system-ui,sans-serif;margin:24px auto;max-width:1180px;color:#222;padding:0 16px}
        h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
        table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
        th,td{border-bottom:1px solid #ddd;padding:5px 7px;text-align:right;vertical-align:top}
        th{background:#f4f4f4;font-weight:600}td.l,th.l{text-align:left}
        .pm{color:#777;font-size:12px}.ref{font-weight:600}.dot{display:inline-block;width:10px;height:10px;border-radius:5px;margin-right:6px}
        pre{background:#f6f6f6;padding:8px 10px;overflow-x:auto;white-space:pre-wrap}
        mark{background:#ffd7d7}.charts{display:flex;flex-wrap:wrap;gap:18px}.note{color:#555;font-size:13px}
        .cont td{text-align:left;font-family:ui-monospace,monospace;font-size:12.5px;white-space:pre-wrap}
        </style></head><body>
        <h1>Kinglet model comparison</h1>
        <p class="note">\(esc(r.machine)) · kernels \(esc(r.kernels)) · \(r.threads) threads · \(esc(r.date))</p>
        <pre>\(esc(r.command))</pre>
        <p class="note">Text: <b>\(esc(r.textFile))</b> (\(r.textBytes) bytes); perplexity over \(r.chunks) chunks of \(r.context) tokens,
        scoring the second half of each (as llama-perplexity). Speed: pp\(r.promptTokens) and tg\(r.generationTokens), \(r.repetitions)
        repetitions after a warm-up, the models alternating between repetitions; ± is the standard deviation. Perplexity ± and KLD ± are the
        estimators' uncertainties. Peak memory: resident memory the model added while loading and generating \(r.generationTokens) tokens.
        Bits per byte: the scored tokens' mean log-loss per byte of their text (lower is better; comparable across tokenizers).</p>

        """
        h += "<h2>Summary</h2>\n" + table
        h += "<h2>Trade-offs</h2>\n<div class=\"charts\">\n"
        h += chart(title: "Generation speed vs quality", xLabel: "tg\(r.generationTokens) tokens/s (higher is better)",
                   x: { $0.generationTokensPerSecond.value }, xErr: { $0.generationTokensPerSecond.uncertainty })
        if r.models.allSatisfy({ $0.peakResidentBytes != nil }) {
            h += chart(title: "Memory vs quality", xLabel: "peak resident MB (lower is better)",
                       x: { Double($0.peakResidentBytes ?? 0) / 1_048_576 }, xErr: { _ in 0 })
        }
        h += chart(title: "Prompt speed vs quality", xLabel: "pp\(r.promptTokens) tokens/s (higher is better)",
                   x: { $0.promptTokensPerSecond.value }, xErr: { $0.promptTokensPerSecond.uncertainty })
        h += "</div>\n<h2>Greedy continuations</h2>\n<p class=\"note\">Temperature 0; text after the first character that differs from the reference's continuation is <mark>marked</mark>.</p>\n"
        h += continuations
        h += "</body></html>\n"
        return h
    }

    private var table: String {
        var t = "<table><tr><th class=\"l\">model</th><th class=\"l\">weights</th><th>params</th><th>file MB</th><th>load s</th><th>peak MB</th>"
        t += "<th>pp\(report.promptTokens) t/s</th><th>tg\(report.generationTokens) t/s</th><th>perplexity</th><th>bits/byte</th>"
        t += "<th>mean KLD</th><th>KLD 99%</th><th>same top</th><th>RMS Δp</th></tr>\n"
        for (i, m) in report.models.enumerated() {
            let color = Self.palette[i % Self.palette.count]
            t += "<tr><td class=\"l\(m.isReference ? " ref" : "")\"><span class=\"dot\" style=\"background:\(color)\"></span>\(esc(m.name))"
            t += m.isReference ? " <span class=\"pm\">(reference)</span>" : ""
            t += "<br><span class=\"pm\">\(esc(m.architecture))</span></td>"
            t += "<td class=\"l pm\">\(esc(m.weights))</td><td>\(String(format: "%.1f M", Double(m.parameters) / 1e6))</td>"
            t += "<td>\(f(Double(m.fileBytes) / 1_048_576, 1))</td><td>\(f(m.loadSeconds, 2))</td>"
            t += "<td>\(m.peakResidentBytes.map { f(Double($0) / 1_048_576, 1) } ?? "–")</td>"
            t += "<td>\(pm(m.promptTokensPerSecond, 1))</td><td>\(pm(m.generationTokensPerSecond, 1))</td>"
            t += "<td>\(pm(m.perplexity, 3))</td><td>\(f(m.bitsPerByte, 4))</td>"
            if let d = m.divergence {
                t += "<td>\(pm(d.meanKLD, 5))</td><td>\(f(d.kld99, 4))</td>"
                t += "<td>\(pm(.init(100 * d.sameTop.value, 100 * d.sameTop.uncertainty), 2))%</td>"
                t += "<td>\(pm(.init(100 * d.rmsDeltaP.value, 100 * d.rmsDeltaP.uncertainty), 2))%</td>"
            } else {
                t += "<td colspan=\"4\" class=\"pm\" style=\"text-align:center\">\(esc(m.divergenceNote ?? "–"))</td>"
            }
            t += "</tr>\n"
        }
        return t + "</table>\n"
    }

    private var continuations: String {
        var s = ""
        for (k, prompt) in (report.models.first?.continuations.map(\.prompt) ?? []).enumerated() {
            s += "<h3 style=\"font-size:14px;margin:14px 0 6px\">“\(esc(prompt))”</h3><table class=\"cont\">\n"
            for (i, m) in report.models.enumerated() where k < m.continuations.count {
                let c = m.continuations[k]
                var text = esc(c.text)
                if let d = c.firstDivergence {
                    let chars = Array(c.text)
                    text = esc(String(chars[..<min(d, chars.count)])) + "<mark>" + esc(String(chars[min(d, chars.count)...])) + "</mark>"
                }
                let color = Self.palette[i % Self.palette.count]
                s += "<tr><td style=\"width:230px\"><span class=\"dot\" style=\"background:\(color)\"></span>\(esc(shortName(m)))</td><td>\(text)</td></tr>\n"
            }
            s += "</table>\n"
        }
        return s
    }

    /// A scatter plot: x as given, y = bits per byte; each point labelled, x error bars.
    private func chart(title: String, xLabel: String, x: (ComparisonReport.Model) -> Double, xErr: (ComparisonReport.Model) -> Double) -> String {
        let dots = report.models.enumerated().map { i, m in
            SVGChart.Dot(x: x(m), y: m.bitsPerByte, xError: xErr(m), label: shortName(m), title: m.name, color: Self.palette[i % Self.palette.count])
        }
        return SVGChart(title: title, x: .init(xLabel, .padded(0.12)), y: .init("bits per byte (lower is better)", .padded(0.12)),
                        dots: dots, width: 560, height: 360).render() + "\n"
    }

    private func shortName(_ m: ComparisonReport.Model) -> String { URL(fileURLWithPath: m.path).deletingPathExtension().lastPathComponent }

    private func f(_ v: Double, _ digits: Int) -> String { v.isFinite ? String(format: "%.\(digits)f", v) : "–" }

    private func pm(_ m: ComparisonReport.Measure, _ digits: Int) -> String {
        "\(f(m.value, digits)) <span class=\"pm\">± \(f(m.uncertainty, digits))</span>"
    }

    private func esc(_ s: String) -> String { HTML.escape(s) }
}
