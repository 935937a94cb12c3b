import Foundation
import KingletTestSupport
import Testing
@testable import KingletServer

/// `kinglet route eval`, `route calibrate` and serve's routing flags, as a user runs them.
@Suite(.serialized) struct RouteCommandProcessTests {
    /// Runs `kinglet args` to its end on a thread of its own (the fake upstream answers meanwhile).
    static func kinglet(_ args: [String], timeout: TimeInterval = 600) async throws -> (status: Int32, stdout: String, stderr: String) {
        let executable = try ServerTestSupport.kinglet()
        return try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try ChildProcess.run(executable, args, timeout: timeout) }) }.start()
        }
    }

    @Test func evalThenCalibrate() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-route-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // The fake upstream answers "forty-two" to everything: right on three items, wrong on two.
        let lines = [#"{"prompt": "Q: Spell 42 in words.\nA:", "answer": "forty-two", "family": "up"}"#,
                     #"{"prompt": "Q: What is six times seven, in words?\nA:", "answer": "forty-two", "family": "up"}"#,
                     #"{"messages": [{"role": "user", "content": "Write 42 in words."}], "answer": "forty-two", "match": "contains", "family": "up"}"#,
                     #"{"prompt": "Q: What day comes after Monday?\nA:", "answer": "Tuesday", "family": "local"}"#,
                     #"{"prompt": "Q: What colour is the sky?\nA:", "answer": "blue", "match": "contains", "family": "local"}"#]
        let data = dir.appendingPathComponent("set.jsonl")
        try Data(lines.joined(separator: "\n").utf8).write(to: data)
        let out = dir.appendingPathComponent("eval")
        let fake = FakeUpstream()
        let eval = try await fake.run { url in
            try await Self.kinglet(["route", "eval", "--local", ServerTestSupport.modelPath, "--upstream", url.absoluteString, "--data", data.path,
                                    "--out", out.path, "--threads", "2", "--max-tokens", "6", "--target-escalation", "0.4"])
        }
        #expect(eval.status == 0, "stderr: \(eval.stderr)")
        #expect(fake.received.count == 5)
        #expect(eval.stdout.contains("upstream accuracy 0.600") && eval.stdout.contains("random"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("route-eval.json"))) as? [String: Any])
        #expect(json["upstream_accuracy"] as? Double == 0.6)
        #expect((json["local_accuracy"] as? Double).map { $0 >= 0 && $0 <= 1 } == true)
        let signals = try #require(json["signals"] as? [[String: Any]])
        #expect(signals.map { $0["name"] as? String } == ["mean-logprob", "min-logprob", "chow-quantile", "mean-entropy"])
        for s in signals { #expect(["auroc", "apgr", "cpt50", "cpt80"].allSatisfy { s.keys.contains($0) }) }
        #expect((json["items"] as? [Any])?.count == 5)
        let html = try String(contentsOf: out.appendingPathComponent("route-eval.html"), encoding: .utf8)
        #expect(html.contains("<svg"))

        let policy = dir.appendingPathComponent("route.json")
        let calibrate = try await Self.kinglet(["route", "calibrate", "--eval", out.path, "--signal", "min-logprob", "--early", "3", "--out", policy.path])
        #expect(calibrate.status == 0, "stderr: \(calibrate.stderr)")
        let read = try RoutePolicy(file: policy.path)
        #expect(read.signal == .minLogprob && read.earlyTokens == 3 && read.threshold.isFinite)
    }

    /// `--upstream MODEL`: the upstream is a model file, served by a child `kinglet serve` for the
    /// run and stopped after. The same model on both sides agrees with itself on every item.
    @Test func evalWithAModelAsUpstream() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-route-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let lines = [#"{"prompt": "Q: What day comes after Monday?\nA:", "answer": "Tuesday"}"#,
                     #"{"prompt": "Q: What colour is the sky?\nA:", "answer": "blue", "match": "contains"}"#,
                     #"{"messages": [{"role": "user", "content": "Name a colour."}], "answer": "red", "match": "contains"}"#]
        let data = dir.appendingPathComponent("set.jsonl")
        try Data(lines.joined(separator: "\n").utf8).write(to: data)
        let out = dir.appendingPathComponent("eval")
        let eval = try await Self.kinglet(["route", "eval", "--local", ServerTestSupport.modelPath, "--upstream", ServerTestSupport.modelPath,
                                           "--data", data.path, "--out", out.path, "--threads", "2", "--max-tokens", "6"])
        #expect(eval.status == 0, "stderr: \(eval.stderr)")
        #expect(eval.stderr.contains("served at http://127.0.0.1:"), "\(eval.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("route-eval.json"))) as? [String: Any])
        #expect(json["local_accuracy"] as? Double == json["upstream_accuracy"] as? Double, "greedy: the same model answers alike")
        #expect(!eval.stderr.contains("error"), "no shutdown noise: \(eval.stderr)")
    }

    @Test func serveRoutingFlags() async throws {
        let model = ["serve", "--model", ServerTestSupport.modelPath, "--port", "0"]
        let cases: [([String], String)] = [
            (["--route", "min-logprob:-1"], "--route needs --upstream"),
            (["--upstream", "http://127.0.0.1:1/v1"], "--upstream needs --route"),
            (["--upstream", "http://127.0.0.1:1/v1", "--route", "confidence:-1"], "unknown confidence signal 'confidence'"),
            (["--upstream", "ftp://host/v1", "--route", "min-logprob:-1"], "is not an http(s) URL"),
            (["--upstream", "http://127.0.0.1:1/v1", "--route", "min-logprob:-1", "--upstream-key-env", "KINGLET_TEST_UNSET_VARIABLE"],
             "KINGLET_TEST_UNSET_VARIABLE is not set"),
        ]
        for (flags, message) in cases {
            let r = try await Self.kinglet(model + flags, timeout: 60)
            #expect(r.status != 0 && r.stderr.contains(message), "\(flags): \(r.stderr)")
        }
    }
}
