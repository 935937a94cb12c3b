import Foundation
import Testing
@testable import KingletDistill

@Suite struct PromptPresetTests {
    @Test func storiesListsAreLargeEnoughAndDistinct() {
        #expect(StoryWords.verbs.count >= 100 && Set(StoryWords.verbs).count == StoryWords.verbs.count)
        #expect(StoryWords.nouns.count >= 150 && Set(StoryWords.nouns).count == StoryWords.nouns.count)
        #expect(StoryWords.adjectives.count >= 80 && Set(StoryWords.adjectives).count == StoryWords.adjectives.count)
        #expect(StoryWords.features.contains(""), "a story without a feature is one of the options")
        #expect(PromptPreset.stories.combinationCount == 110 * 160 * 90 * 7)
        #expect(TipWords.topics.count >= 150 && Set(TipWords.topics).count == TipWords.topics.count)
    }

    @Test(arguments: ["stories", "tips"])
    func deterministicDistinctAndCounted(name: String) throws {
        let preset = try PromptPreset.named(name)
        let a = try preset.prompts(count: 3000, seed: 7)
        let b = try preset.prompts(count: 3000, seed: 7)
        #expect(a.count == 3000)
        #expect(a == b, "the same seed gives the same prompts")
        let texts = a.map { $0.messages.last!.content }
        #expect(Set(texts).count == 3000, "no prompt twice")
        #expect(Set(a.map(\.id)).count == 3000)
        #expect(a[0].id == "\(name)-000000" && a[2999].id == "\(name)-002999")
        let other = try preset.prompts(count: 3000, seed: 8).map { $0.messages.last!.content }
        #expect(other != texts, "another seed, other prompts")
        #expect(Set(other).intersection(texts).count < 2900)
        // prefix-stable: a shorter run is the start of a longer one
        #expect(try preset.prompts(count: 10, seed: 7) == Array(a.prefix(10)))
        for t in texts { #expect(!t.contains("{") && !t.contains("  ") && t == t.trimmingCharacters(in: .whitespaces)) }
    }

    @Test func storyPromptsUseTheirWordsAndSystemMessage() throws {
        let prompts = try PromptPreset.stories.prompts(count: 200, seed: 1)
        for p in prompts {
            #expect(p.messages.map(\.role) == ["system", "user"])
            let text = p.messages[1].content
            #expect(text.hasPrefix("Write a short story (about 100 words) for a 3 year old. Use the verb \""))
            let quoted = text.split(separator: "\"").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
            #expect(quoted.count == 3)
            #expect(StoryWords.verbs.contains(quoted[0]) && StoryWords.nouns.contains(quoted[1]) && StoryWords.adjectives.contains(quoted[2]))
        }
        // every feature shows up, including none
        let endings = Set(prompts.map { p in StoryWords.features.first { !$0.isEmpty && p.messages[1].content.hasSuffix($0) } ?? "" })
        #expect(endings.count == StoryWords.features.count)
        let custom = try PromptPreset.stories.prompts(count: 2, seed: 1, system: "Be kind.")
        #expect(custom[0].messages[0].content == "Be kind.")
    }

    @Test func everyCombinationIsReachableAndMixedRadixIsABijection() throws {
        let preset = PromptPreset(name: "tiny", summary: "", system: nil, template: "{a}-{b}",
                                  slots: [.init("a", ["x", "y", "z"]), .init("b", ["1", "2"])])
        let all = try preset.prompts(count: 6, seed: 3).map { $0.messages[0].content }
        #expect(Set(all) == ["x-1", "y-1", "z-1", "x-2", "y-2", "z-2"])
        #expect(preset.text(combination: 4) == "y-2")
        #expect(throws: PromptError.tooMany(preset: "tiny", requested: 7, available: 6)) { try preset.prompts(count: 7, seed: 3) }
        #expect(SparseShuffle.prefix(count: 1000, of: 1000, seed: 9).sorted() == Array(0 ..< 1000))
    }

    @Test func unknownPresetListsTheAvailableOnes() {
        #expect(throws: PromptError.unknownPreset("poems", available: ["stories", "tips"])) { try PromptPreset.named("poems") }
        let message = PromptError.unknownPreset("poems", available: ["stories", "tips"]).localizedDescription
        #expect(message.contains("stories, tips"))
        #expect((try? PromptPreset.named("Stories"))?.name == "stories")
    }
}

@Suite struct JSONLPromptTests {
    func file(_ text: String) throws -> URL {
        let url = try TeacherTestSupport.temporaryDirectory().appendingPathComponent("prompts.jsonl")
        try Data(text.utf8).write(to: url)
        return url
    }

    @Test func promptsAndMessagesWithBlankLines() throws {
        let url = try file("""
            {"prompt": "Tell me a story."}

            {"id": "q2", "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]}
              \t
            {"id": 7, "messages": [{"role": "developer", "content": "Rules."}, {"role": "user", "content": "Go"}]}

            """)
        let prompts = try JSONLPromptSource(url: url, system: "Sys").prompts()
        #expect(prompts.count == 3)
        #expect(prompts[0].id == "prompts.jsonl:1")
        #expect(prompts[0].messages.map(\.role) == ["system", "user"] && prompts[0].messages[0].content == "Sys")
        #expect(prompts[1].id == "q2" && prompts[1].messages.map(\.content) == ["Be brief.", "Hi"])
        #expect(prompts[2].id == "7" && prompts[2].messages[0].role == "system", "developer means system")
        #expect(try JSONLPromptSource(url: url).prompts()[0].messages.map(\.role) == ["user"])
    }

    @Test(arguments: [
        ("{\"prompt\": \"ok\"}\n{\"prompt\": \"unterminated}\n", 2, "not valid JSON"),
        ("\n\n{\"prompt\": \"ok\"}\n[1, 2]\n", 4, "not a JSON object"),
        ("{\"text\": \"hi\"}\n", 1, "no \"prompt\" or \"messages\""),
        ("{\"prompt\": \"\"}\n", 1, "non-empty string"),
        ("{\"prompt\": \"a\", \"messages\": []}\n", 1, "not both"),
        ("{\"messages\": []}\n", 1, "non-empty array"),
        ("{\"prompt\": \"a\"}\n{\"messages\": [{\"role\": \"user\"}]}\n", 2, "messages[0]"),
        ("{\"messages\": [{\"role\": \"robot\", \"content\": \"x\"}]}\n", 1, "role 'robot'"),
        ("{\"id\": [1], \"prompt\": \"x\"}\n", 1, "\"id\""),
    ])
    func badLinesNameTheFileAndLine(text: String, line: Int, reason: String) throws {
        let url = try file(text)
        do {
            _ = try JSONLPromptSource(url: url).prompts()
            Issue.record("expected an error for line \(line)")
        } catch let PromptError.badLine(f, n, r) {
            #expect(f == url.path && n == line)
            #expect(r.contains(reason), "\(r)")
            let message = PromptError.badLine(file: f, line: n, reason: r).localizedDescription
            #expect(message.hasPrefix("\(url.path):\(line): ") && message.contains("{\"prompt\": \"...\"}"))
        }
    }

    @Test func missingAndEmptyFiles() throws {
        let blank = try file("\n  \n")
        #expect(throws: PromptError.empty(file: blank.path)) { try JSONLPromptSource(url: blank).prompts() }
        let missing = URL(fileURLWithPath: "/nonexistent/prompts.jsonl")
        #expect { try JSONLPromptSource(url: missing).prompts() } throws: { e in
            guard case PromptError.unreadable(let f, _) = e else { return false }
            return f == missing.path
        }
    }
}
