import Foundation
import KingletChatTemplate
import Testing
@testable import KingletDistill

@Suite struct DatasetTests {
    static func prompts(_ texts: [String]) -> [DistillPrompt] {
        texts.enumerated().map { DistillPrompt(id: "p\($0.offset)", user: $0.element) }
    }

    static func generator(_ teacher: FakeTeacher, _ dir: URL, seed: UInt64 = 0, chunk: Int = 2) -> DistillGenerator {
        var s = GenerationSettings()
        s.seed = seed
        return DistillGenerator(teacher: teacher, dataset: DistillDataset(directory: dir), settings: s, chunkSize: chunk)
    }

    @Test func contentIDCoversMessagesTeacherAndEveryParameter() {
        let base = TeacherRequest(messages: [ChatMessage(role: "user", content: "Hi")], maxTokens: 64, seed: 5)
        let id = DistillRecord.contentID(base, teacher: "t")
        #expect(id.count == 32 && id.allSatisfy(\.isHexDigit))
        #expect(DistillRecord.contentID(base, teacher: "t") == id, "stable")
        var changes: [TeacherRequest] = []
        for edit in [{ (r: inout TeacherRequest) in r.seed = 6 }, { $0.maxTokens = 65 }, { $0.temperature = 0.7 }, { $0.topP = 0.9 },
                     { $0.topLogprobs = 5 }, { $0.frequencyPenalty = 0.3 }, { $0.presencePenalty = 0.1 },
                     { $0.messages[0].content = "Hi!" }, { $0.messages[0].role = "system" },
                     { $0.messages.insert(ChatMessage(role: "system", content: "S"), at: 0) }] {
            var r = base
            edit(&r)
            changes.append(r)
        }
        let ids = changes.map { DistillRecord.contentID($0, teacher: "t") } + [DistillRecord.contentID(base, teacher: "u")]
        #expect(Set(ids).count == ids.count && !ids.contains(id))
    }

    @Test func perPromptSeedsDependOnTheRunSeedAndContentOnly() {
        var s = GenerationSettings()
        s.seed = 3
        let m = [ChatMessage(role: "user", content: "Tell a story")]
        let a = s.request(for: m).seed
        #expect(a == s.request(for: m).seed && a < (1 << 31))
        #expect(s.request(for: [ChatMessage(role: "user", content: "Tell a tale")]).seed != a)
        s.seed = 4
        #expect(s.request(for: m).seed != a)
    }

    @Test func recordsRoundTripWithExactFieldNames() throws {
        let dir = try TeacherTestSupport.temporaryDirectory()
        let writer = try DistillDataset(directory: dir).openForAppending()
        let r = DistillRecord(id: "abc", messages: [ChatMessage(role: "user", content: "Hi \"there\"\n")], completion: "Hello/é",
                              promptTokens: [1, 2], completionTokens: [3, 2], finishReason: "stop", teacher: "smol",
                              topLogprobs: [[TeacherLogprob(token: "He", logprob: -0.25)]])
        #expect(try writer.append(r))
        #expect(try !writer.append(r), "an id already there is not written twice")
        var plain = r
        plain.id = "def"
        plain.topLogprobs = nil
        #expect(try writer.append(plain))
        writer.close()
        #expect(try DistillDataset(directory: dir).records() == [r, plain])
        let lines = try String(contentsOf: dir.appendingPathComponent("samples.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        let object = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: Any]
        #expect(Set(object.keys) == ["id", "messages", "completion", "prompt_tokens", "completion_tokens", "finish_reason", "teacher", "top_logprobs"])
        #expect(lines[0].hasPrefix("{\"id\":\"abc\",\"messages\":[{") && lines[0].hasSuffix("]]}"), "fields in the documented order")
        let second = try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as! [String: Any]
        #expect(second["top_logprobs"] == nil, "absent when not asked for")
    }

    @Test func rerunSkipsExistingIdsAndNeverPaysTwice() async throws {
        let dir = try TeacherTestSupport.temporaryDirectory()
        let texts = ["a", "b", "c", "b", "d"]  // "b" twice: one request
        let first = FakeTeacher()
        let s1 = try await Self.generator(first, dir).run(Self.prompts(texts))
        #expect(first.requests.count == 4 && s1.generated == 4 && s1.cached == 0 && s1.distinct == 4 && s1.prompts == 5)
        let again = FakeTeacher()
        let s2 = try await Self.generator(again, dir).run(Self.prompts(texts + ["e"]))
        #expect(again.requests.map { $0.messages[0].content } == ["e"], "only the new prompt is asked")
        #expect(s2.generated == 1 && s2.cached == 4)
        let records = try DistillDataset(directory: dir).records()
        #expect(records.count == 5 && Set(records.map(\.id)).count == 5)
        #expect(records.map { $0.messages[0].content } == ["a", "b", "c", "d", "e"])
        #expect(records[0].completion == FakeTeacher.reply(first.requests[0]).text && records[0].teacher == "fake")
        // another seed or teacher is another request
        let reseeded = FakeTeacher()
        _ = try await Self.generator(reseeded, dir, seed: 1).run(Self.prompts(["a"]))
        let renamed = FakeTeacher(name: "other")
        _ = try await Self.generator(renamed, dir).run(Self.prompts(["a"]))
        #expect(reseeded.requests.count == 1 && renamed.requests.count == 1)
        #expect(try DistillDataset(directory: dir).records().count == 7)
    }

    @Test func tornLastLineIsSkippedThenCutOffAndRegenerated() async throws {
        let dir = try TeacherTestSupport.temporaryDirectory()
        _ = try await Self.generator(FakeTeacher(), dir).run(Self.prompts(["a", "b", "c"]))
        let url = dir.appendingPathComponent("samples.jsonl")
        var bytes = try Data(contentsOf: url)
        let whole = bytes.count
        // a kill in the middle of writing the third record: its line loses its end
        let lastStart = bytes.dropLast().lastIndex(of: UInt8(ascii: "\n"))! + 1
        bytes = bytes.prefix(lastStart + (whole - lastStart) / 2)
        try bytes.write(to: url)
        #expect(try DistillDataset(directory: dir).records().map { $0.messages[0].content } == ["a", "b"], "reading skips the torn line")
        let teacher = FakeTeacher()
        let s = try await Self.generator(teacher, dir).run(Self.prompts(["a", "b", "c"]))
        #expect(s.truncatedBytes == bytes.count - lastStart)
        #expect(teacher.requests.map { $0.messages[0].content } == ["c"])
        let after = try Data(contentsOf: url)
        #expect(after.count == whole && after.last == UInt8(ascii: "\n"), "the torn bytes are gone, the record written once")
        #expect(try DistillDataset(directory: dir).records().map { $0.messages[0].content } == ["a", "b", "c"])
    }

    @Test func aFailingTeacherKeepsWhatFinishedAndTheRerunResumes() async throws {
        let dir = try TeacherTestSupport.temporaryDirectory()
        let failing = FakeTeacher(failAt: 1)
        await #expect(throws: TeacherError.generation(reason: "fake failure at 1")) {
            try await Self.generator(failing, dir, chunk: 3).run(Self.prompts(["a", "b", "c", "d"]))
        }
        #expect(try DistillDataset(directory: dir).records().map { $0.messages[0].content } == ["a"])
        let teacher = FakeTeacher()
        let s = try await Self.generator(teacher, dir, chunk: 3).run(Self.prompts(["a", "b", "c", "d"]))
        #expect(s.cached == 1 && s.generated == 3 && teacher.requests.count == 3)
    }

    @Test func badLinesAndConcurrentWritersAreTypedErrors() throws {
        let dir = try TeacherTestSupport.temporaryDirectory()
        let url = dir.appendingPathComponent("samples.jsonl")
        let good = DistillRecord(id: "x", messages: [], completion: "", promptTokens: [], completionTokens: [], finishReason: "stop", teacher: "t")
        let line = String(decoding: try JSONEncoder().encode(good), as: UTF8.self)
        try Data("\(line)\n\n{\"id\": \"y\"}\n\(line)\n".utf8).write(to: url)
        #expect(throws: DatasetError.badRecord(path: url.path, line: 3, reason: "missing required field 'messages'")) {
            try DistillDataset(directory: dir).records()
        }
        try Data("\(line)\nnot json\n".utf8).write(to: url)
        #expect { try DistillDataset(directory: dir).openForAppending() } throws: { e in
            guard case DatasetError.badRecord(_, let n, _) = e else { return false }
            return n == 2
        }
        try Data("\(line)\n".utf8).write(to: url)
        let writer = try DistillDataset(directory: dir).openForAppending()
        #expect(writer.ids == ["x"])
        #expect(throws: DatasetError.busy(path: url.path)) { try DistillDataset(directory: dir).openForAppending() }
        writer.close()
        #expect(throws: Never.self) { try DistillDataset(directory: dir).openForAppending().close() }
    }
}
