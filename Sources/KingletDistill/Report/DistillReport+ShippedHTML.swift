import Foundation
import KingletChatTemplate

extension DistillReport {
    /// The shipped files against the teacher: decode speed (and as a multiple of the teacher's),
    /// file size, and the teacher's perplexity of each model's greedy answers. Empty when no run
    /// and no teacher carries these figures (directories written before them).
    func shippedSection() -> String {
        guard teacher != nil || runs.contains(where: { $0.shipped != nil }) else { return "" }
        var h = "<h2>Shipped file against the teacher</h2>\n"
        h += "<p class=\"note\">tg128: tokens/s generating 128 tokens from an empty cache (median of 3, as <code>kinglet bench</code>). "
            + "Teacher PPL: the teacher's perplexity of the model's greedy answers to the held-out prompts below "
            + "(lower: answers the teacher finds likelier; compare with the teacher's on its own answers, and read the answers: "
            + "a student that repeats one word can score low, as repetition becomes predictable).</p>\n"
        h += "<table><tr><th class=\"l\">model</th><th class=\"l\">file</th><th>size</th><th>tg128 (t/s)</th><th>× teacher</th>"
            + "<th>teacher PPL of its answers</th></tr>\n"
        if let t = teacher {
            h += "<tr><td class=\"l\">teacher</td><td class=\"l\">—</td>" + shippedCells(t, ratio: t.tg128TokensPerSecond == nil ? nil : 1) + "</tr>\n"
        }
        for r in runs {
            h += "<tr><td class=\"l\">\(HTML.escape(r.name))</td><td class=\"l\">\(HTML.escape(r.shipped?.format?.uppercased() ?? "—"))</td>"
                + shippedCells(r.shipped, ratio: speedup(r)) + "</tr>\n"
        }
        return h + "</table>\n"
    }

    private func shippedCells(_ f: ShippedFigures?, ratio: Double?) -> String {
        "<td>\(f?.fileBytes.map(Self.bytes) ?? "—")</td><td>\(f?.tg128TokensPerSecond.map { Self.fixed($0, 1) } ?? "—")</td>"
            + "<td>\(ratio.map { Self.fixed($0, 2) + "×" } ?? "—")</td><td>\(f?.teacherPPLOfGenerations.map { Self.fixed($0, 3) } ?? "—")</td>"
    }

    /// Each held-out prompt with the teacher's and every run's greedy answer side by side.
    func answersSection() -> String {
        let all = answers
        guard !all.isEmpty else { return "" }
        var h = "<h2>Greedy answers to held-out prompts</h2>\n"
        for a in all {
            h += "<h3 class=\"prompt\">\(HTML.escape(a.prompt.prompt))</h3>\n<table class=\"answers\">"
            if let t = a.teacher { h += "<tr><th class=\"l\">teacher</th><td class=\"l answer\">\(HTML.escape(t))</td></tr>" }
            for (name, text) in a.runs { h += "<tr><th class=\"l\">\(HTML.escape(name))</th><td class=\"l answer\">\(HTML.escape(text))</td></tr>" }
            h += "</table>\n"
        }
        return h
    }
}
