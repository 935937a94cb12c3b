import Foundation
import KingletTestSupport
import KingletChatTemplate
import KingletRuntime
import Testing
@testable import KingletDistill

/// The teachers on the real model (SmolLM2-135M-Instruct): batched local generation against
/// one-at-a-time, a real `kinglet serve` as the remote teacher, and the CLI. Serialized: the
/// local teachers share one engine, whose model runs one forward pass at a time.
@Suite(.serialized) struct RealModelTests {
    static func engine() throws -> Engine { try TeacherTestSupport.engine.get() }

    /// Stories, a tip and a question the model answers and stops on, with mixed limits and seeds.
    static func requests() throws -> [TeacherRequest] {
        let stories = try PromptPreset.stories.prompts(count: 3, seed: 11)
        let tip = try PromptPreset.tips.prompts(count: 1, seed: 2)[0]
        var out = stories.enumerated().map { i, p in
            TeacherRequest(messages: p.messages, maxTokens: [40, 12, 28][i], temperature: 0.8, topP: 0.95, seed: UInt64(100 + i))
        }
        out.append(TeacherRequest(messages: tip.messages, maxTokens: 20, temperature: 0, seed: 1, topLogprobs: 3))
        out.append(TeacherRequest(messages: [ChatMessage(role: "user", content: "What is 2+2? Answer with just the number.")],
                                  maxTokens: 24, temperature: 0.3, seed: 9, topLogprobs: 2))
        return out
    }

    /// A request run alone through `Engine.run` (not the batch generator): ids, text, finish.
    static func alone(_ engine: Engine, _ r: TeacherRequest) throws -> (ids: [Int], text: String, finish: FinishReason) {
        var ids: [Int] = []
        var text = ""
        let s = try engine.run(try engine.tokens(for: .chat(r.messages)), parameters: LocalTeacher.parameters(for: r)) { e in
            if case .token(let id, let piece) = e { if id >= 0 { ids.append(Int(id)) }; text += piece }
        }
        return (ids, text, s.finishReason)
    }

    @Test func batchedEqualsOneAtATimeForTheSameSeeds() async throws {
        let engine = try Self.engine()
        let requests = try Self.requests()
        let reported = Counter()
        let batched = try await LocalTeacher(engine: engine, name: "t", concurrency: 3).complete(requests) { _, _ in reported.increment() }
        #expect(reported.value == requests.count)
        let single = try await LocalTeacher(engine: engine, name: "t", concurrency: 1).complete(requests)
        #expect(batched == single, "3 sequences per forward pass (slots refilled as they finish) give what 1 does")
        var stopped = 0
        for (r, c) in zip(requests, batched) {
            let a = try Self.alone(engine, r)
            #expect(c.text == a.text)
            #expect(c.promptTokens == (try engine.tokens(for: .chat(r.messages))).map(Int.init))
            #expect(c.finishReason == (a.finish == .stop ? "stop" : "length"))
            if a.finish == .stop {
                stopped += 1
                #expect(c.completionTokens.dropLast().elementsEqual(a.ids), "the sampled ids, then the end token")
                #expect(c.completionTokens.last.map { engine.tokenizer.isEndOfGeneration(Int32($0)) } == true)
            } else {
                #expect(c.completionTokens == a.ids && c.completionTokens.count == r.maxTokens)
            }
            if let k = r.topLogprobs {
                #expect(c.topLogprobs?.count == c.completionTokens.count, "one list per token, the end token included")
                #expect(c.topLogprobs?.allSatisfy { $0.count == k && $0.map(\.logprob) == $0.map(\.logprob).sorted(by: >) } == true)
            } else {
                #expect(c.topLogprobs == nil)
            }
        }
        #expect(stopped >= 1, "the arithmetic question ends on its own")
        #expect(batched[3].topLogprobs?.first?.first?.token == engine.tokenizer.decode([Int32(batched[3].completionTokens[0])]),
                "greedy: the first token is the most likely one")
    }

    /// Scores kept while generating come from the same distributions as the separate scoring
    /// pass over the finished samples: same top-k ids (up to near-ties at rank k), log-probabilities
    /// and tails equal to within the KV cache's half-precision rounding.
    @Test func scoresWhileGeneratingMatchTheScoringPass() async throws {
        let engine = try Self.engine()
        let requests = try Self.requests()
        let k = 8
        let completions = try await LocalTeacher(engine: engine, name: "t", concurrency: 3, scoreTopK: k).complete(requests)
        let sequences = completions.enumerated().map { i, c in
            ScoredSequence(id: "s\(i)", tokens: (c.promptTokens + c.completionTokens).map(Int32.init), promptLength: c.promptTokens.count)
        }
        let reference = try TeacherScorer(engine: engine, k: k).score(sequences)
        var worst = 0.0, positions = 0
        for (i, c) in completions.enumerated() {
            let record = try #require(c.scores?.record(for: sequences[i]), "one scored position per completion token")
            #expect(record.positionCount == c.completionTokens.count)
            let ref = reference[i]
            for p in 0 ..< record.positionCount {
                positions += 1
                let row = p * k ..< (p + 1) * k
                let refIDs = Array(ref.ids[row]), refLP = Array(ref.logprobs[row])
                #expect(c.completionTokens[p] == Int(record.ids[p * k]) || requests[i].temperature > 0,
                        "greedy samples take the top entry")
                for j in row {
                    if let r = refIDs.firstIndex(of: record.ids[j]) {
                        worst = max(worst, Double(abs(record.logprobs[j] - refLP[r])))
                    } else {
                        // Only a near-tie with the scoring pass's k-th entry may swap in or out.
                        #expect(record.logprobs[j] <= refLP[k - 1] + 0.02, "sample \(i) position \(p): id \(record.ids[j]) missing")
                    }
                }
                worst = max(worst, Double(abs(record.tailLogMass[p] - ref.tailLogMass[p])))
            }
        }
        print("scores while generating vs scoring pass: max |Δ log p| \(worst) over \(positions) positions")
        #expect(positions > 100)
        #expect(worst < 0.02)
    }

    /// `DistillGenerator` stores the scores that come with the samples; nothing is left to score.
    @Test func generatorStoresScoresWithTheSamples() async throws {
        let engine = try Self.engine()
        let dir = try TeacherTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var settings = GenerationSettings()
        settings.maxTokens = 16
        let prompts = try PromptPreset.stories.prompts(count: 5, seed: 3)
        let dataset = DistillDataset(directory: dir)
        let scoresDir = dir.appendingPathComponent("scores")
        let writer = try TeacherScoreWriter(directory: scoresDir, k: 4, vocabularySize: engine.config.vocabularySize,
                                            tokenizerFingerprint: VocabularyFingerprint.of(engine.tokenizer))
        let teacher = LocalTeacher(engine: engine, name: "t", concurrency: 2, scoreTopK: 4)
        let summary = try await DistillGenerator(teacher: teacher, dataset: dataset, settings: settings, chunkSize: 2)
            .run(prompts, scores: writer)
        #expect(summary.generated == 5)
        #expect(writer.writtenShards.count == 3, "one shard per chunk of 2")
        let store = try TeacherScoreStore(directory: scoresDir, expectedTokenizerFingerprint: VocabularyFingerprint.of(engine.tokenizer))
        let sequences = try dataset.scoredSequences()
        #expect(sequences.count == 5 && store.recordCount == 5)
        for s in sequences {
            let scores = try #require(try store.scores(for: s))
            #expect(scores.positionCount == s.scoredPositions.count)
        }
        try writer.close()
        let again = try TeacherScoreWriter(directory: scoresDir, k: 4, vocabularySize: engine.config.vocabularySize,
                                           tokenizerFingerprint: VocabularyFingerprint.of(engine.tokenizer))
        #expect(sequences.allSatisfy(again.isScored), "`distill score` finds every sample scored")
    }

    /// `kinglet serve` as the remote teacher: the same samples as the local teacher (the exact
    /// sampled ids, read from the server's logprobs), and its `top_logprobs` kept as scores equal
    /// to the scoring pass's top-k for those tokens.
    @Test func generateAgainstARealKingletServe() async throws {
        let engine = try Self.engine()
        let serve = ChildProcess(try TeacherTestSupport.kinglet(), ["serve", "--model", TeacherTestSupport.modelPath, "--port", "0",
                                                                   "--threads", "2", "--context", "2048", "--parallel", "3"])
        try serve.start()
        defer { serve.stop() }
        let base = try serve.waitFor(#"http://127\.0\.0\.1:[0-9]+"#)
        let dir = try TeacherTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let remote = RemoteTeacher(url: URL(string: base)!, model: TeacherTestSupport.modelID, tokenizer: try TeacherTokenizer(engine: engine),
                                   concurrency: 3, retry: RetryPolicy(maxAttempts: 3, baseDelay: 0.2))
        var settings = GenerationSettings()
        settings.maxTokens = 24
        settings.seed = 5
        let k = 5
        settings.topLogprobs = k
        settings.frequencyPenalty = 0.3
        let prompts = try PromptPreset.tips.prompts(count: 3, seed: 4) + [DistillPrompt(id: "q", user: "Hi!")]
        let generator = DistillGenerator(teacher: remote, dataset: DistillDataset(directory: dir), settings: settings, chunkSize: 2)
        let scoresDir = dir.appendingPathComponent("scores")
        let fingerprint = VocabularyFingerprint.of(engine.tokenizer)
        let writer = try TeacherScoreWriter(directory: scoresDir, k: k, vocabularySize: engine.config.vocabularySize,
                                            tokenizerFingerprint: fingerprint)
        let summary = try await generator.run(prompts, scores: writer)
        #expect(summary.generated == 4 && summary.cached == 0)
        #expect(summary.unscored == 0, "every reply's tokens are named by the server")

        let records = try DistillDataset(directory: dir).records()
        #expect(records.count == 4)
        // The server samples with the same chain and seed: the local teacher writes the same text.
        let requests = prompts.map { settings.request(for: $0.messages) }
        let local = try await LocalTeacher(engine: engine, name: TeacherTestSupport.modelID, concurrency: 2).complete(requests)
        for (i, r) in requests.enumerated() {
            guard let rec = records.first(where: { $0.id == DistillRecord.contentID(r, teacher: TeacherTestSupport.modelID) }) else {
                Issue.record("no record for prompt \(i)")
                continue
            }
            #expect(rec.messages == r.messages && rec.teacher == TeacherTestSupport.modelID)
            #expect(rec.completion == local[i].text, "prompt \(i)")
            #expect(rec.finishReason == local[i].finishReason)
            #expect(rec.promptTokens == local[i].promptTokens)
            #expect(rec.completionTokens == local[i].completionTokens, "prompt \(i): the sampled ids")
            let text = rec.finishReason == "stop" ? Array(rec.completionTokens.dropLast()) : rec.completionTokens
            #expect(engine.tokenizer.decode(text.map(Int32.init)) == rec.completion)
            #expect(rec.topLogprobs?.allSatisfy { $0.count == k } == true && (rec.topLogprobs?.count ?? 0) > 0)
        }
        // The server's top_logprobs (log-softmax of the raw logits) as scores: the scoring pass's
        // top-k over the same tokens, up to near-ties at rank k and the server's rounding. kinglet
        // serve's logprobs stop before the end-of-generation token: that position's row is empty
        // (all mass in the tail).
        let store = try TeacherScoreStore(directory: scoresDir, expectedTokenizerFingerprint: fingerprint)
        let sequences = try DistillDataset(directory: dir).scoredSequences()
        let reference = try TeacherScorer(engine: engine, k: k).score(sequences)
        var worst = 0.0, worstTail = 0.0, positions = 0, ends = 0
        for (s, ref) in zip(sequences, reference) {
            let scores = try #require(try store.scores(for: s), "sample \(s.id) has scores")
            var listed = scores.positionCount
            if let last = s.tokens.last, engine.tokenizer.isEndOfGeneration(last) {
                listed -= 1
                ends += 1
                #expect(scores.tokenIDs(at: listed).allSatisfy { $0 == ScoreRecord.paddingID } && scores.tailLogMass[listed] == 0)
            }
            for p in 0 ..< listed {
                positions += 1
                let refIDs = Array(ref.ids[p * k ..< (p + 1) * k]), refLP = Array(ref.logprobs[p * k ..< (p + 1) * k])
                let lp = scores.logprobs(at: p)
                for (j, id) in scores.tokenIDs(at: p).enumerated() {
                    if let r = refIDs.firstIndex(of: id) {
                        worst = max(worst, Double(abs(lp[j] - refLP[r])))
                    } else {
                        #expect(lp[j] <= refLP[k - 1] + 0.02, "sample \(s.id) position \(p): id \(id) is not in the scoring pass's top \(k)")
                    }
                }
                // The tail as a probability: 1 − Σ of the listed ones is ill-conditioned in log space
                // when the tail is tiny.
                worstTail = max(worstTail, abs(exp(Double(scores.tailLogMass[p])) - exp(Double(ref.tailLogMass[p]))))
            }
        }
        print("remote top_logprobs as scores vs scoring pass: max |Δ log p| \(worst), max |Δ tail mass| \(worstTail) over \(positions) positions")
        #expect(positions + ends == records.reduce(0) { $0 + $1.completionTokens.count } && ends >= 1)
        #expect(worst < 0.02 && worstTail < 0.005)
        #expect(records.contains { $0.finishReason == "stop" && $0.completionTokens.last == 2 }, "<|im_end|> closes a finished reply")
        // Resuming asks nothing again.
        let again = try await generator.run(prompts)
        #expect(again.generated == 0 && again.cached == 4)
        // The job `kinglet distill generate --teacher-url --top-logprobs K` runs keeps them in DIR/scores.
        let jobDir = try TeacherTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: jobDir) }
        var job = DistillGenerationJob(teacher: .remote(url: URL(string: base)!, model: TeacherTestSupport.modelID,
                                                        tokenizer: TeacherTestSupport.modelPath),
                                       prompts: .preset("tips", count: 2), directory: jobDir)
        job.settings = settings
        job.concurrency = 2
        let jobSummary = try await job.run()
        #expect(jobSummary.generated == 2 && jobSummary.unscored == 0)
        let jobStore = try TeacherScoreStore(directory: job.scoresDirectory, expectedTokenizerFingerprint: fingerprint)
        #expect(jobStore.recordCount == 2 && jobStore.k == k)
        #expect(serve.process.isRunning)
    }

    @Test func cliGeneratesResumesAndReportsBadInput() throws {
        let kinglet = try TeacherTestSupport.kinglet()
        let dir = try TeacherTestSupport.temporaryDirectory()
        let out = dir.appendingPathComponent("run").path
        let args = ["distill", "generate", "--teacher", TeacherTestSupport.modelPath, "--preset", "stories", "--count", "3",
                    "--max-tokens", "8", "--threads", "2", "--concurrency", "2", "--out", out]
        let first = try TeacherTestSupport.run(kinglet, args)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("done: 3 generated, 0 already in the dataset"), "\(first.stderr)")
        #expect(first.stderr.contains("completions/min") && first.stderr.contains("[3/3] 100.0%"))
        let records = try DistillDataset(directory: URL(fileURLWithPath: out)).records()
        #expect(records.count == 3 && records.allSatisfy { $0.completionTokens.count <= 9 && $0.teacher == "SmolLM2-135M-Instruct.Q4_1" })
        let second = try TeacherTestSupport.run(kinglet, args.map { $0 == "3" ? "4" : $0 })
        #expect(second.status == 0 && second.stderr.contains("done: 1 generated, 3 already in the dataset"), "\(second.stderr)")

        let bad = dir.appendingPathComponent("prompts.jsonl")
        try Data("{\"prompt\": \"Hi\"}\n{\"prompt\": 3}\n".utf8).write(to: bad)
        let r = try TeacherTestSupport.run(kinglet, ["distill", "generate", "--teacher", TeacherTestSupport.modelPath,
                                                    "--prompts", bad.path, "--out", out])
        #expect(r.status == 1 && r.stderr.contains("error: \(bad.path):2: \"prompt\" must be a non-empty string"), "\(r.stderr)")
        let preset = try TeacherTestSupport.run(kinglet, ["distill", "generate", "--teacher", TeacherTestSupport.modelPath,
                                                         "--preset", "poems", "--out", out])
        #expect(preset.status == 1 && preset.stderr.contains("Available presets: stories, tips"), "\(preset.stderr)")
        let usage = try TeacherTestSupport.run(kinglet, ["distill", "generate", "--preset", "stories", "--out", out])
        #expect(usage.status != 0 && usage.stderr.contains("give a teacher"), "\(usage.stderr)")
    }
}
