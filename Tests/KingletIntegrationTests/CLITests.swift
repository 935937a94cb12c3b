import Foundation
import KingletTestSupport
import Testing

/// The `kinglet` executable, run as a user would.
@Suite(.serialized) struct CLITests {
    struct Output { let status: Int32; let stdout: String; let stderr: String }

    /// The built `kinglet`, next to the test bundle in the build folder.
    static let binary: String = (try? kingletExecutable().path) ?? "kinglet-binary-not-found-next-to-\(CommandLine.arguments[0])"

    static func run(_ args: [String], stdin: String? = nil) throws -> Output {
        let p = ChildProcess(URL(fileURLWithPath: binary), args, stdin: true)
        try p.start()
        if let stdin { p.send(stdin) }
        p.closeInput()
        let status = p.finish(seconds: 600)
        return Output(status: status, stdout: p.stdout.string, stderr: p.stderr.string)
    }

    @Test func runStreamsOnlyTheCompletion() throws {
        let r = try Self.run(["run", "--model", TestModels.smollm2, "--raw", "--temperature", "0", "--max-tokens", "3",
                              "-t", "2", "--verbose", "The capital of France is"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == " Paris.\n", "stdout: \(r.stdout.debugDescription)")
        #expect(r.stderr.contains("tokens/s"))
        #expect(r.stderr.contains("loaded"))
    }

    /// Issue 12: an absurd context fails at load, naming the flag and the bytes, in `run` and `serve` alike.
    @Test func absurdContextIsRefusedAtLoadNamingTheFlag() throws {
        let r = try Self.run(["run", "--model", TestModels.smollm2, "--context", "4000000000", "--max-tokens", "1", "Hi"])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("KV cache") && r.stderr.contains("GiB") && r.stderr.contains("--context"), "\(r.stderr)")
        let s = try Self.run(["serve", "--model", TestModels.smollm2, "--port", "0", "--parallel", "8", "--context", "8000000"])
        #expect(s.status == 1, "\(s.stderr)")
        #expect(s.stderr.contains("8 sequences") && s.stderr.contains("--context") && s.stderr.contains("--parallel 8"), "\(s.stderr)")
    }

    @Test func promptFromStdinAndSeedReproduces() throws {
        let args = ["run", "--model", TestModels.smollm2, "--seed", "42", "--max-tokens", "12", "-"]
        let a = try Self.run(args, stdin: "Name a colour.")
        let b = try Self.run(args, stdin: "Name a colour.")
        #expect(a.status == 0 && b.status == 0, "\(a.stderr)")
        #expect(!a.stdout.isEmpty)
        #expect(a.stdout == b.stdout)
    }

    @Test func tokenizePrintsIdsOnOneLine() throws {
        let r = try Self.run(["tokenize", "--model", TestModels.smollm2, "Hello world"])
        #expect(r.status == 0)
        #expect(r.stdout == "19556 905\n")
    }

    @Test func infoDescribesTheModel() throws {
        let r = try Self.run(["info", "--model", TestModels.smollm2])
        #expect(r.status == 0, "\(r.stderr)")
        for fact in ["llama", "layers:        30", "9 query, 3 key/value", "210 Q4_1", "gpt2", "smollm"] {
            #expect(r.stdout.contains(fact), "missing \(fact) in\n\(r.stdout)")
        }
    }

    @Test func badInputIsAMessageNotACrash() throws {
        let missing = try Self.run(["run", "--model", "/nonexistent/model.gguf", "hi"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("does not exist"))
        let unknown = try Self.run(["run", "--model", "no-such-model", "hi"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("smollm2-135m"))
        let notGGUF = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-model.gguf")
        try Data("hello".utf8).write(to: notGGUF)
        let corrupt = try Self.run(["run", "--model", notGGUF.path, "hi"])
        #expect(corrupt.status == 1)
        #expect(corrupt.stderr.contains("GGUF"))
        let flag = try Self.run(["run", "--temperature", "-1", "hi"])
        #expect(flag.status != 0)
        #expect(flag.stderr.contains("--temperature"))
        // A training shape larger than memory (it crashed in the allocator).
        let huge = try Self.run(["train-bench", "--batch", "99999999999", "--steps", "1"])
        #expect(huge.status == 1 && huge.stderr.contains("of memory"), "\(huge.status): \(huge.stderr)")
    }

    /// Issue 11: sampling flags follow the library's rules (`SamplingParameters.validate`), and
    /// the error names the flag; the distill commands take OpenAI's narrower ranges.
    @Test func outOfRangeSamplingNamesTheFlag() throws {
        let cases: [([String], String)] = [
            (["run", "--top-p", "1.5", "hi"], "--top-p must be in (0, 1] (it is 1.5)"),
            (["run", "--repeat-penalty", "nan", "hi"], "--repeat-penalty must be finite and above 0 (it is nan)"),
            (["run", "--min-p", "1", "hi"], "--min-p must be in [0, 1)"),
            (["distill", "generate", "--teacher", "t.gguf", "--preset", "p", "--out", "o", "--temperature", "2.5"],
             "--temperature must be between 0 and 2 (it is 2.5)"),
            (["distill", "generate", "--teacher", "t.gguf", "--preset", "p", "--out", "o", "--presence-penalty", "3"],
             "--presence-penalty must be between -2 and 2 (it is 3.0)"),
            (["distill", "onpolicy", "--student", "s", "--teacher", "t", "--data", "d", "--out", "o", "--count", "1", "--top-p", "0"],
             "--top-p must be in (0, 1] (it is 0.0)"),
        ]
        for (args, message) in cases {
            let r = try Self.run(args)
            #expect(r.status != 0)
            #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
        }
    }

    /// Every command that takes a thread count refuses one out of the library's range with the
    /// flag's name (two crashed with 0: a pool of no threads), and before doing any work.
    @Test func everyThreadFlagIsChecked() throws {
        let m = TestModels.smollm2
        let commands: [([String], String)] = [
            (["run", "--model", m, "hi"], "--threads"), (["serve", "--model", m, "--port", "0"], "--threads"),
            (["bench", "--model", m], "-t"), (["compare", m, m, "--file", "f.txt"], "-t"), (["quantize", m, "/tmp/kinglet-q.gguf", "Q8_0"], "--threads"),
            (["prune", m, "--keep", "0.5", "--text", "x", "--output", "/tmp/kinglet-p.gguf"], "--threads"),
            (["train-bench"], "--threads"), (["train", "--data", "d", "--out", "o"], "--threads"),
            (["export", "c", "--out", "o.gguf"], "--threads"),
            (["route", "eval", "--local", m, "--upstream", m, "--data", "d", "--out", "o"], "--threads"),
            (["distill", "generate", "--teacher", m, "--preset", "stories", "--out", "o"], "--threads"),
            (["distill", "score", "--teacher", m, "--data", "d"], "-t"),
            (["distill", "onpolicy", "--student", m, "--teacher", m, "--data", "d", "--out", "o", "--count", "1"], "--threads"),
            (["distill", "run", "--teacher", m, "--out", "o"], "--threads"),
        ]
        for (args, flag) in commands {
            for bad in ["0", "513"] {
                let r = try Self.run(args + [flag, bad])
                #expect(r.status == 64, "\(args) \(flag) \(bad): status \(r.status)\n\(r.stderr)")
                #expect(r.stderr.contains("\(flag) must be between 1 and 512"), "\(args) \(flag) \(bad): \(r.stderr)")
            }
        }
    }

    @Test func pullPrintsThePathLast() throws {
        // Already cached by the time tests run: pull is then a cheap check of the same path.
        guard !TestModelFiles.smolLM2FromEnvironment else {
            let r = try Self.run(["list"])
            #expect(r.status == 0 && r.stdout.contains("smollm2-135m"))
            return
        }
        let r = try Self.run(["pull", "smollm2-135m"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.split(separator: "\n").last.map(String.init) == TestModels.smollm2)
    }

    /// `kinglet train` stopped by Ctrl-C (SIGINT) mid-run saves a checkpoint and exits 130;
    /// `--resume` then finishes with exactly the losses of a run that never stopped.
    @Test func trainStoppedByCtrlCResumesExactly() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-train-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let animals = ["cat", "dog", "bird", "fox", "owl", "frog"], verbs = ["sees", "chases", "finds", "greets"]
        var text = ""
        for i in 0 ..< 3000 { text += "The \(animals[i % 6]) \(verbs[i % 4]) the \(animals[(i / 6) % 6]) number \(i % 97).\n" }
        let data = dir.appendingPathComponent("text.txt")
        try Data(text.utf8).write(to: data)
        func args(_ out: String) -> [String] {
            ["train", "--data", data.path, "--tokenizer", TestModels.smollm2, "--preset", "nano", "--steps", "60", "--batch", "4",
             "--seq", "64", "--warmup", "5", "--eval-every", "30", "--checkpoint-every", "1000", "-t", "1",
             "--out", dir.appendingPathComponent(out).path]
        }
        func trainLosses(_ out: String) throws -> [Int: Double] {
            let lines = try String(contentsOf: dir.appendingPathComponent(out + "/metrics.jsonl"), encoding: .utf8).split(separator: "\n")
            var losses: [Int: Double] = [:]
            for line in lines {
                let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                if o?["type"] as? String == "train", let step = o?["step"] as? Int, let loss = o?["loss"] as? Double { losses[step] = loss }
            }
            return losses
        }

        let whole = try Self.run(args("whole"))
        #expect(whole.status == 0, "\(whole.stderr)")

        let child = ChildProcess(try kingletExecutable(), args("stopped"))
        try child.start()
        let metrics = dir.appendingPathComponent("stopped/metrics.jsonl").path
        let started = child.wait(for: {
            (try? String(contentsOfFile: metrics, encoding: .utf8))?.split(separator: "\n").count ?? 0 >= 10
        }, seconds: 300)
        #expect(started, "no training progress: \(child.stderr.string)")
        kill(child.process.processIdentifier, SIGINT)
        let status = child.finish(seconds: 60)
        #expect(status == 130, "Ctrl-C exits 130 after saving: \(child.stderr.string)")
        #expect(child.stderr.string.contains("checkpoint saved"))
        let stoppedAt = try trainLosses("stopped").keys.max() ?? 0
        #expect(stoppedAt >= 9 && stoppedAt < 60, "stopped at step \(stoppedAt)")

        let resumed = try Self.run(args("stopped") + ["--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("resuming"))
        let a = try trainLosses("whole"), b = try trainLosses("stopped")
        #expect(a.count == 60 && b.count == 60)
        #expect(a == b, "every step's loss equals the uninterrupted run's")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("stopped/model-q8_0.gguf").path))
    }
}
