import Foundation
import KingletChatTemplate
import KingletRuntime
import KingletTestSupport
import Testing

/// A `kinglet` child process with stdin/stdout/stderr pipes, started.
private func startKinglet(_ args: [String]) throws -> ChildProcess {
    let c = ChildProcess(try ServerTestSupport.kinglet(), args, stdin: true)
    try c.start()
    return c
}

/// `kinglet chat` and `kinglet template` as a user runs them: a process with pipes.
@Suite(.serialized) struct CLIProcessTests {
    static func temp(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-\(UUID().uuidString)-\(name)")
    }

    static func saved(_ url: URL) throws -> [ChatMessage] {
        try JSONDecoder().decode([ChatMessage].self, from: Data(contentsOf: url))
    }

    static let chat = ["chat", "--model", ServerTestSupport.modelPath, "--threads", "2", "--temperature", "0"]

    @Test func chatHistorySystemSaveResetQuit() throws {
        let a = Self.temp("a.json"), b = Self.temp("b.json")
        let c = try startKinglet(Self.chat + ["--max-tokens", "16"])
        c.send("Hi\n/system You are a pirate.\nHello again\n/save \(a.path)\n/reset\n/save \(b.path)\n/nonsense\n/quit\n")
        #expect(c.finish() == 0, "stderr: \(c.stderr.string)")
        let first = try Self.saved(a)
        #expect(first.map(\.role) == ["system", "user", "assistant", "user", "assistant"])
        #expect(first[0].content == "You are a pirate.")
        #expect(first[1].content == "Hi" && first[3].content == "Hello again")
        #expect(!first[2].content.isEmpty && !first[4].content.isEmpty)
        // the replies were streamed to stdout, in order
        #expect(c.stdout.string.contains(first[2].content) && c.stdout.string.contains(first[4].content))
        #expect(try Self.saved(b).map(\.role) == ["system"])
        #expect(c.stderr.string.contains("unknown command /nonsense"))
    }

    /// `--prompt-cache FILE`: the second chat restores what the first evaluated (its system prompt
    /// and turn) and answers the same first question the same way; a file of another kind is
    /// reported and replaced.
    @Test func chatPromptCacheSurvivesARestart() throws {
        let file = Self.temp("chat.kvc")
        defer { try? FileManager.default.removeItem(at: file) }
        let args = Self.chat + ["--max-tokens", "12", "--system", "Answer in one short sentence.", "--prompt-cache", file.path]
        var replies: [String] = []
        for round in 0 ..< 2 {
            let c = try startKinglet(args)
            c.send("Name a colour.\n/quit\n")
            #expect(c.finish() == 0, "stderr: \(c.stderr.string)")
            #expect(c.stderr.string.contains("tokens restored from") == (round == 1), "stderr: \(c.stderr.string)")
            replies.append(c.stdout.string)
        }
        #expect(replies[0] == replies[1] && !replies[0].isEmpty)
        try Data("not a cache".utf8).write(to: file)
        let c = try startKinglet(args)
        c.send("Name a colour.\n/quit\n")
        #expect(c.finish() == 0)
        #expect(c.stderr.string.contains("is not a Kinglet prompt-cache file"), "stderr: \(c.stderr.string)")
        #expect(c.stdout.string == replies[0])
        #expect(try Data(contentsOf: file).count > 100, "replaced after the reply")
    }

    @Test func ctrlCStopsTheReplyNotTheChat() throws {
        let file = Self.temp("stopped.json")
        let c = try startKinglet(Self.chat + ["--max-tokens", "3000"])
        c.send("Count from 1 to 1000, separated by commas.\n")
        #expect(c.wait(for: { c.stdout.string.count > 8 }, seconds: 120), "no reply started: \(c.stderr.string)")
        kill(c.process.processIdentifier, SIGINT)
        #expect(c.wait(for: { c.stderr.string.contains("(reply stopped)") }, seconds: 30), "stderr: \(c.stderr.string)")
        #expect(c.process.isRunning, "Ctrl-C during a reply must not end the chat")
        kill(c.process.processIdentifier, SIGINT)  // at the prompt: a reminder, still running
        #expect(c.wait(for: { c.stderr.string.contains("/quit or Ctrl-D leaves") }, seconds: 10))
        c.send("/save \(file.path)\nWhat did you count?\n")
        c.closeInput()  // end of input leaves, like Ctrl-D
        #expect(c.finish() == 0)
        let saved = try Self.saved(file)
        #expect(saved.map(\.role) == ["user", "assistant"])
        #expect(!saved[1].content.isEmpty && saved[1].content.count < 3000, "a partial reply is kept")
    }

    @Test func oldestTurnsAreDroppedWhenTheContextIsFull() throws {
        let file = Self.temp("dropped.json")
        let c = try startKinglet(Self.chat + ["--context", "160", "--max-tokens", "24", "--system", "Be brief."])
        let questions = ["Tell me about the sea and its many waves.", "Tell me about the mountains and their snow.",
                         "Tell me about the forest and its trees.", "Tell me about the desert and its sand.",
                         "Tell me about the sky and its clouds."]
        c.send(questions.map { $0 + "\n" }.joined() + "/save \(file.path)\n/quit\n")
        #expect(c.finish() == 0, "stderr: \(c.stderr.string)")
        #expect(c.stderr.string.contains("oldest messages"), "stderr: \(c.stderr.string)")
        let saved = try Self.saved(file)
        #expect(saved.first?.role == "system" && saved.first?.content == "Be brief.", "the system prompt is kept")
        #expect(saved.last?.role == "assistant")
        #expect(saved.contains { $0.content == questions.last! })
        #expect(!saved.contains { $0.content == questions.first! }, "the oldest turn is gone")
    }

    @Test func templatePrintsTheRenderedPromptExactly() throws {
        let messages = Self.temp("messages.json")
        let json = #"[{"role": "system", "content": "Be kind."}, {"role": "user", "content": "Hi there"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "Bye"}]"#
        try Data(json.utf8).write(to: messages)
        let c = try startKinglet(["template", "--model", ServerTestSupport.modelPath, "--messages", messages.path, "--add-generation-prompt"])
        #expect(c.finish() == 0, "stderr: \(c.stderr.string)")
        let engine = try ServerTestSupport.engine.get()
        let want = try ChatFormatter(engine: engine).render(
            [.init(role: "system", content: "Be kind."), .init(role: "user", content: "Hi there"),
             .init(role: "assistant", content: "Hello!"), .init(role: "user", content: "Bye")], addGenerationPrompt: true)
        #expect(c.stdout.string == want)
        #expect(c.stdout.string.hasSuffix("<|im_start|>assistant\n"))

        let template = Self.temp("t.jinja")
        try Data("{{ bos_token }}{% for m in messages %}[{{ m.role }}]{{ m.content }}{% endfor %}{% if add_generation_prompt %}[assistant]{% endif %}{{ eos_token }}".utf8).write(to: template)
        let t = try startKinglet(["template", "--template-file", template.path, "--messages", messages.path, "--bos-token", "<s>", "--eos-token", "</s>"])
        #expect(t.finish() == 0)
        #expect(t.stdout.string == "<s>[system]Be kind.[user]Hi there[assistant]Hello![user]Bye</s>")

        let bad = try startKinglet(["template", "--template-file", template.path, "--messages", template.path])
        #expect(bad.finish() != 0, "a messages file that is not JSON is an error")
    }
}
