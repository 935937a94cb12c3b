import Foundation
import KingletArchitectures
import KingletChatTemplate
import KingletGGUF
import KingletKernels
import KingletRuntime
import KingletTestSupport
import KingletTraining
import Testing
@testable import KingletDistill

/// `OnPolicyJob` on two different tiny llamas sharing a vocabulary and chat template: the
/// "student" (untied, sharp head) samples, the "teacher" (tied head) scores.
@Suite struct OnPolicyJobTests {
    static let V = TinyLlamaFile.V
    static let k = 4

    /// A tiny llama with the letters tokenizer and a template that renders the content alone.
    static func modelFile(tied: Bool) throws -> String {
        var (w, _) = TinyLlamaFile.build(tied: tied, outputScale: 1.5)
        TinyEngineFile.addTokenizer(&w, vocabulary: V)
        w.set("tokenizer.chat_template", "{% for message in messages %}{{ message['content'] }}{% endfor %}")
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("kinglet-onpolicy-\(tied ? "teacher" : "student")-\(UUID().uuidString).gguf").path
        try w.write(to: path)
        return path
    }

    static func load(_ path: String) throws -> any LanguageModel {
        try ArchitectureRegistry.load(GGUFFile(path: path), options: ModelLoadOptions(pool: ThreadPool(threads: 1)))
    }

    /// A teacher dataset of `n` one-turn conversations of letters, with the teacher's prompt tokens.
    static func teacherDataset(_ dir: URL, teacher: String, n: Int) throws -> [DistillRecord] {
        let engine = try Engine(path: teacher, options: EngineOptions(threads: 1))
        let letters = Array("abcdefghij")
        let writer = try DistillDataset(directory: dir).openForAppending()
        defer { writer.close() }
        var out: [DistillRecord] = []
        for i in 0 ..< n {
            let text = String((0 ..< 3 + i % 4).map { letters[(i * 3 + $0 * 7) % letters.count] })
            let messages = [ChatMessage(role: "user", content: text)]
            let request = TeacherRequest(messages: messages, maxTokens: 4, seed: UInt64(i))
            let r = DistillRecord(id: DistillRecord.contentID(request, teacher: "tiny-teacher"), messages: messages, completion: "ab",
                                  promptTokens: try engine.tokens(for: .chat(messages)).map(Int.init), completionTokens: [0, 1, 10],
                                  finishReason: "stop", teacher: "tiny-teacher")
            try writer.append(r)
            out.append(r)
        }
        try writer.sync()
        return out
    }

    static func job(student: String, teacher: String, data: URL, out: URL) -> OnPolicyJob {
        var job = OnPolicyJob(student: student, teacher: teacher, teacherDataDirectory: data, directory: out, count: 6, seed: 3)
        job.settings.maxTokens = 6
        job.validationFraction = 0.25
        job.concurrency = 3
        job.topK = k
        job.threads = 1
        job.cachePrecision = .f32
        return job
    }

    /// A conversation as a hashable key.
    static func key(_ m: [ChatMessage]) -> String { m.map { "\($0.role): \($0.content)" }.joined(separator: "\n") }

    /// Descending order of a row's values.
    static func order(_ row: [Double]) -> [Int32] { row.indices.sorted { row[$0] > row[$1] }.map(Int32.init) }

    @Test func onPolicySamplesRoundTripThroughTheTeachersScoreShards() async throws {
        let dir = try TeacherTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let studentPath = try Self.modelFile(tied: false), teacherPath = try Self.modelFile(tied: true)
        defer { unlink(studentPath); unlink(teacherPath) }
        let data = dir.appendingPathComponent("teacher-data"), out = dir.appendingPathComponent("onpolicy")
        let teacherRecords = try Self.teacherDataset(data, teacher: teacherPath, n: 16)
        let heldOut = Set(teacherRecords.filter { TokenShardBuilder.isValidation($0.id, fraction: 0.25) }.map { Self.key($0.messages) })
        #expect(!heldOut.isEmpty, "the fixture must hold some conversations out")

        var job = Self.job(student: studentPath, teacher: teacherPath, data: data, out: out)
        // A deadline already past: nothing is generated, and the run says it is incomplete.
        job.maxMinutes = 1e-9
        let stopped = try await job.run()
        #expect(stopped.generation.generated == 0 && !stopped.complete)

        job.maxMinutes = 5
        let summary = try await job.run()
        #expect(summary.prompts == 6 && summary.generation.generated == 6 && summary.scoring.scored == 6 && summary.complete)

        let records = try DistillDataset(directory: out).records()
        #expect(records.count == 6)
        let studentName = "student:" + ModelStore.modelName(studentPath)
        #expect(records.allSatisfy { $0.teacher == studentName })
        #expect(records.allSatisfy { !heldOut.contains(Self.key($0.messages)) }, "a held-out prompt was sampled")
        #expect(Set(records.map { Self.key($0.messages) }).isSubset(of: Set(teacherRecords.map { Self.key($0.messages) })))

        // The completions are the student's own draws (temperature 1, untruncated), not the teacher's.
        let studentEngine = try Engine(path: studentPath, options: EngineOptions(threads: 1))
        let again = try await LocalTeacher(engine: studentEngine, name: studentName, concurrency: 1, truncates: false)
            .complete([job.settings.request(for: records[0].messages)])
        #expect(again[0].completionTokens == records[0].completionTokens)

        // Every stored position is the teacher's own log-softmax top-k, and not the student's.
        let store = try TeacherScoreStore(directory: job.scoresDirectory)
        #expect(store.k == Self.k && store.recordCount == 6)
        let teacher = try Self.load(teacherPath), student = try Self.load(studentPath)
        var positions = 0, differentTopK = 0, worstStudentGap = 0.0
        for r in records {
            let s = r.scoredSequence
            let stored = try #require(try store.scores(for: s))
            let teacherRows = try TeacherScorerTests.referenceRows(s, model: teacher)
            let studentRows = try TeacherScorerTests.referenceRows(s, model: student)
            #expect(stored.positionCount == teacherRows.count && teacherRows.count == r.completionTokens.count)
            for (p, row) in teacherRows.enumerated() {
                let want = Array(Self.order(row).prefix(Self.k))
                #expect(stored.tokenIDs(at: p) == want, "\(r.id) position \(p)")
                for (j, id) in want.enumerated() {
                    #expect(abs(Double(stored.logprobs(at: p)[j]) - row[Int(id)]) < 1e-4, "\(r.id) position \(p) rank \(j)")
                    worstStudentGap = max(worstStudentGap, abs(Double(stored.logprobs(at: p)[j]) - studentRows[p][Int(id)]))
                }
                if Array(Self.order(studentRows[p]).prefix(Self.k)) != want { differentTopK += 1 }
                positions += 1
            }
        }
        #expect(positions > 6)
        #expect(differentTopK > 0 && worstStudentGap > 0.1, "the stored scores look like the student's own")

        // A rerun finds everything done.
        let rerun = try await job.run()
        #expect(rerun.generation.generated == 0 && rerun.generation.cached == 6 && rerun.scoring.positions == 0 && rerun.complete)
    }

    @Test func anotherStudentInTheSameDirectoryIsRefused() async throws {
        let dir = try TeacherTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let studentPath = try Self.modelFile(tied: false), teacherPath = try Self.modelFile(tied: true)
        defer { unlink(studentPath); unlink(teacherPath) }
        let data = dir.appendingPathComponent("teacher-data"), out = dir.appendingPathComponent("onpolicy")
        _ = try Self.teacherDataset(data, teacher: teacherPath, n: 8)
        var job = Self.job(student: studentPath, teacher: teacherPath, data: data, out: out)
        job.maxMinutes = 1e-9
        try await job.run()
        var other = job
        other.student = teacherPath
        await #expect(throws: OnPolicyError.self) { try await other.run() }
    }

    @Test func aStudentWithAnotherVocabularyIsRefused() async throws {
        let dir = try TeacherTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let teacherPath = try Self.modelFile(tied: true)
        defer { unlink(teacherPath) }
        let data = dir.appendingPathComponent("teacher-data")
        _ = try Self.teacherDataset(data, teacher: teacherPath, n: 8)
        let job = Self.job(student: try TinyEngineFile.gemma3Path.get(), teacher: teacherPath, data: data,
                           out: dir.appendingPathComponent("onpolicy"))
        await #expect(throws: OnPolicyError.vocabularyMismatch(student: URL(fileURLWithPath: try TinyEngineFile.gemma3Path.get()).lastPathComponent,
                                                               teacher: URL(fileURLWithPath: teacherPath).lastPathComponent)) {
            try await job.run()
        }
    }

    @Test func promptsComeFromTheTrainingSplitOnlyAndAreStableBySeed() {
        let records = (0 ..< 40).map { i in
            DistillRecord(id: String(format: "%032x", i &* 2654435761), messages: [ChatMessage(role: "user", content: "p\(i % 30)")],
                          completion: "", promptTokens: [1], completionTokens: [2], finishReason: "stop", teacher: "t")
        }
        let held = Set(records.filter { TokenShardBuilder.isValidation($0.id, fraction: 0.3) }.map { Self.key($0.messages) })
        let (all, heldOut) = OnPolicyPrompts.select(from: records, count: 100, seed: 1, validationFraction: 0.3)
        #expect(heldOut == held.count && heldOut > 0)
        #expect(all.count == 30 - held.count && all.allSatisfy { !held.contains(Self.key($0.prompt.messages)) })
        let few = OnPolicyPrompts.select(from: records.reversed(), count: 5, seed: 1, validationFraction: 0.3).choices
        #expect(few == Array(all.prefix(5)), "the order of the dataset does not matter; a larger count extends a smaller one")
        #expect(OnPolicyPrompts.select(from: records, count: 5, seed: 2, validationFraction: 0.3).choices != few)
    }
}
