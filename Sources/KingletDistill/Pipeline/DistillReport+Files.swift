import Foundation

extension DistillReport {
    /// The JSON twin of an HTML page: beside it with a `.json` extension.
    public static func jsonURL(besides html: URL) -> URL {
        let json = html.deletingPathExtension().appendingPathExtension("json")
        return json == html ? html.appendingPathExtension("json") : json
    }

    /// Stage 4 as one call: reads `runDirectories` (and `teacherFigures`, a `teacher.json`, and
    /// `untrainedStudent`, the starting point's `eval.json`, when given) and writes the page to `html` and its JSON twin beside it. Returns both files.
    @discardableResult
    public static func write(runDirectories: [URL], html: URL, teacherFigures: URL? = nil, untrainedStudent: URL? = nil,
                             events: DistillEventHandler = { _ in }) throws(ReportError) -> (html: URL, json: URL) {
        let report = try build(runDirectories: runDirectories, teacherFigures: teacherFigures, untrainedStudent: untrainedStudent)
        let json = jsonURL(besides: html)
        try report.write(html: html, json: json)
        events(.reportWritten(html: html, json: json))
        return (html, json)
    }
}
