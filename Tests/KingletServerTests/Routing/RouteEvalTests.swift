import Foundation
import Testing
@testable import KingletServer

/// Labelled items, answer matching, and the route-eval.json / .html `route eval` writes.
struct RouteEvalTests {
    @Test func matchRules() throws {
        let exact = try AnswerMatch(rule: "exact", answer: "Paris")
        #expect(exact.accepts(" paris.") && exact.accepts("Paris\n") && !exact.accepts("Paris, France"))
        let contains = try AnswerMatch(rule: "contains", answer: "paris")
        #expect(contains.accepts("It is Paris, France") && !contains.accepts("Lyon"))
        let regex = try AnswerMatch(rule: "regex", answer: "^t(?:ê|e)te$")
        #expect(regex.accepts("Tête") && regex.accepts("tete") && !regex.accepts("tetes"))
        let choice = try AnswerMatch(rule: "choice", answer: "B", choices: ["A", "B", "Blue"])
        #expect(choice.accepts("B) the second") && !choice.accepts("Blue") && !choice.accepts("A"))
        #expect(throws: AnswerMatch.RuleError.self) { try AnswerMatch(rule: "regex", answer: "(") }
        #expect(throws: AnswerMatch.RuleError.self) { try AnswerMatch(rule: "choice", answer: "C", choices: ["A"]) }
        #expect(throws: AnswerMatch.RuleError.self) { try AnswerMatch(rule: "fuzzy", answer: "x") }
    }

    @Test func items() throws {
        let p = try EvalItem(line: #"{"prompt": "Q: 2+2?\nA:", "answer": "4", "family": "add"}"#, number: 1, file: "f")
        #expect(p.path == "completions" && p.family == "add" && p.request["stop"] as? [String] == ["\n"])
        let m = try EvalItem(line: #"{"messages": [{"role": "user", "content": "hi"}], "answer": "x", "match": "contains"}"#, number: 2, file: "f")
        #expect(m.path == "chat/completions" && m.request["stop"] == nil)
        for bad in [#"{"answer": "4"}"#, #"{"prompt": "p"}"#, "[1]", #"{"prompt": "p", "answer": "a", "match": "nope"}"#] {
            #expect(throws: RouteEvalError.self) { try EvalItem(line: bad, number: 3, file: "f") }
        }
        // The shipped set: at least 300 items, all parseable.
        let shipped = ServerTestSupport.root.appendingPathComponent("Tests/Data/route/route-eval.jsonl").path
        #expect(try EvalItem.read(shipped).count >= 300)
    }

    @Test func evaluationFiles() throws {
        // RoutingMathTests' four items with mean-logprob as the score, every other signal useless.
        let records = RoutingMathTests.items.map {
            RouteEvaluation.Record(family: "f", localAnswer: "", upstreamAnswer: "", localCorrect: $0.localCorrect, upstreamCorrect: $0.upstreamCorrect,
                                   scores: ["mean-logprob": $0.score, "min-logprob": 0, "chow-quantile": nil, "mean-entropy": 0])
        }
        let e = RouteEvaluation(items: records, localModel: "small", upstream: "http://big/v1", data: "d.jsonl", targetEscalation: 0.5, targetQuality: nil)
        let json = try #require(try JSONSerialization.jsonObject(with: RouteEvaluation.encoder.encode(e)) as? [String: Any])
        #expect(json["local_accuracy"] as? Double == 0.5 && json["upstream_accuracy"] as? Double == 0.75)
        let signals = try #require(json["signals"] as? [[String: Any]])
        #expect(signals.map { $0["name"] as? String } == ["mean-logprob", "min-logprob", "chow-quantile", "mean-entropy"])
        let mean = signals[0]
        #expect(mean["auroc"] as? Double == 0.75 && mean["apgr"] as? Double == 1.125)
        #expect(mean["cpt50"] as? Double == 0.25 && mean["cpt80"] as? Double == 0.25)
        #expect(mean["threshold"] as? Double == 0.3 && mean["escalation"] as? Double == 0.5)
        // All scores equal: the expected (random-order) curve, APGR 0.5.
        #expect(signals[1]["apgr"] as? Double == 0.5 && signals[1]["auroc"] as? Double == 0.5)
        #expect(e.best == "mean-logprob")
        #expect((json["random"] as? [String: Any])?["apgr"] as? Double == 0.5)
        // Read back as calibrate does.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("route-eval-\(UUID()).json")
        try RouteEvaluation.encoder.encode(e).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let back = try RouteEvaluation.read(file.path)
        #expect(back.items.count == 4 && back.signals[0].apgr == 1.125)

        let html = RouteEvalPage.html(e)
        #expect(html.hasPrefix("<!doctype html>") && html.contains("<svg") && html.contains("<polyline"))
        #expect(!html.contains("<script") && !html.contains("src=") && !html.contains("href="))
        #expect(html.components(separatedBy: "<polyline").count - 1 == 5)  // four signals and random
    }
}
