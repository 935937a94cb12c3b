import Foundation
import Testing
@testable import KingletDistill

/// The shipped-file figures in the report: per run and the teacher's, answers side by side, and
/// run directories written before these figures existed.
@Suite struct DistillReportShippedTests {
    static func shipped(tg: Double, ppl: Double, answers: [(String, String, String)]) -> [String: Any] {
        ["format": "q8_0", "tg128_tokens_per_second": tg, "file_bytes": 2_097_152, "teacher_ppl_of_generations": ppl,
         "scored_tokens": 40, "seconds": 1.5, "answers": answers.map { ["id": $0.0, "prompt": $0.1, "text": $0.2] }]
    }

    /// A KD run and a baseline with figures, an old baseline without, and the teacher's file.
    static func fixture() throws -> (root: URL, dirs: [URL], teacher: URL) {
        let root = ScoreFixtures.temporaryDirectory()
        let dirs = [
            try DistillReportTests.makeRun(in: root, name: "kd-seed0", kind: "kd", seed: 0, eval: [(0, 4), (100, 3)], final: 3,
                                           exports: ["q8_0": 3.01], shipped: shipped(tg: 300, ppl: 2.5, answers: [
                                               ("a", "Tell <me>", "Once <script>alert(1)</script> & \"so\""), ("b", "Why?", "Because.")])),
            try DistillReportTests.makeRun(in: root, name: "baseline-seed0", kind: "baseline", seed: 0, eval: [(0, 4), (100, 3.2)],
                                           final: 3.2, exports: ["q8_0": 3.21], shipped: shipped(tg: 280, ppl: 4.0, answers: [
                                               ("a", "Tell <me>", "A baseline answer"), ("b", "Why?", "No.")])),
            try DistillReportTests.makeRun(in: root, name: "old-run", kind: "baseline", seed: 1, eval: [(0, 4), (100, 3.3)], final: 3.3),
        ]
        let teacher = root.appendingPathComponent("teacher.json")
        let t = ShippedFigures(tg128TokensPerSecond: 100, fileBytes: 8_388_608, teacherPPLOfGenerations: 1.5, scoredTokens: 50,
                               answers: [HeldOutAnswer(id: "a", prompt: "Tell <me>", text: "The teacher's <i>tale</i>")])
        try t.jsonData().write(to: teacher)
        return (root, dirs, teacher)
    }

    @Test func jsonHasTheShippedFiguresPerRunTheTeachersAndTheAnswers() throws {
        let (root, dirs, teacher) = try Self.fixture()
        let (_, jsonURL) = try DistillReport.write(runDirectories: dirs, html: root.appendingPathComponent("report.html"),
                                                   teacherFigures: teacher)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: jsonURL)) as? [String: Any])
        let runs = try #require(json["runs"] as? [[String: Any]])
        #expect(runs.map { $0["tg128_tokens_per_second"] as? Double } == [300, 280, nil])
        #expect(runs.map { $0["teacher_ppl_of_generations"] as? Double } == [2.5, 4.0, nil])
        #expect(runs.map { $0["file_bytes"] as? Double } == [2_097_152, 2_097_152, nil])
        #expect(runs[2]["tg128_tokens_per_second"] is NSNull && runs[2]["teacher_ppl_of_generations"] is NSNull, "absent: null")
        #expect(runs[0]["tg128_vs_teacher"] as? Double == 3 && runs[0]["shipped_format"] as? String == "q8_0")
        #expect(runs.allSatisfy { $0["kind"] != nil && $0["val_ce"] != nil && $0["kl_to_teacher"] != nil && $0["top1_agreement"] != nil })
        let t = try #require(json["teacher"] as? [String: Any])
        #expect(t["tg128_tokens_per_second"] as? Double == 100 && t["file_bytes"] as? Double == 8_388_608
            && t["teacher_ppl_of_generations"] as? Double == 1.5)
        let answers = try #require(json["answers"] as? [[String: Any]])
        #expect(answers.map { $0["prompt"] as? String } == ["Tell <me>", "Why?"], "the teacher's prompts first, then the runs'")
        #expect(answers[0]["teacher"] as? String == "The teacher's <i>tale</i>" && answers[1]["teacher"] is NSNull)
        #expect(answers[0]["runs"] as? [String: String] == ["kd-seed0": "Once <script>alert(1)</script> & \"so\"",
                                                            "baseline-seed0": "A baseline answer"])
        let kd = try #require(((json["summary"] as? [String: Any])?["kinds"] as? [String: Any])?["kd"] as? [String: Any])
        #expect((kd["tg128_tokens_per_second"] as? [String: Any])?["mean"] as? Double == 300)
    }

    @Test func htmlShowsTheFiguresAndEscapesTheAnswers() throws {
        let (root, dirs, teacher) = try Self.fixture()
        let (html, _) = try DistillReport.write(runDirectories: dirs, html: root.appendingPathComponent("report.html"),
                                                teacherFigures: teacher)
        let page = try String(contentsOf: html, encoding: .utf8)
        #expect(page.contains("Shipped file against the teacher") && page.contains("Greedy answers to held-out prompts"))
        #expect(page.contains("<td>300.0</td><td>3.00×</td><td>2.500</td>"), "tg128, × the teacher's, teacher PPL")
        #expect(page.contains("<td>8.0 MiB</td><td>100.0</td><td>1.00×</td><td>1.500</td>"), "the teacher's row")
        #expect(page.contains("Once &lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;so&#34;"))
        #expect(page.contains("Tell &lt;me&gt;") && page.contains("The teacher&#39;s &lt;i&gt;tale&lt;/i&gt;"))
        #expect(!page.contains("<script") && !page.contains("<me>") && !page.contains("<i>tale"))
        #expect(page.contains("<td class=\"l\">old-run</td><td class=\"l\">—</td><td>—</td><td>—</td><td>—</td><td>—</td>"))
    }

    @Test func runsWithoutTheFiguresAndNoTeacherLeaveThemAbsent() throws {
        let (root, dirs, _) = try Self.fixture()
        let report = try DistillReport.build(runDirectories: [dirs[2]])
        #expect(report.teacher == nil && report.runs[0].shipped == nil && report.answers.isEmpty)
        let object = report.jsonObject()
        #expect(object["teacher"] is NSNull && (object["answers"] as? [Any])?.isEmpty == true)
        #expect(try JSONSerialization.data(withJSONObject: object).count > 0)
        let page = report.htmlPage()
        #expect(!page.contains("Shipped file against the teacher") && !page.contains("Greedy answers"))
        #expect(throws: ReportError.self) {
            try DistillReport.build(runDirectories: dirs, teacherFigures: root.appendingPathComponent("missing.json"))
        }
    }
}
