import Foundation
import KingletChatTemplate

/// llama.cpp's collection of real chat templates (Tests/Data/templates/llamacpp, MIT, see the
/// README there) and the conversations they are rendered with: the seed corpus of the fuzzer and
/// the proof that the default `RenderBudget` is far from tight.
enum LlamaCppCorpus {
    static let directory = CaseLibrary.builtinDirectory.appendingPathComponent("llamacpp")

    /// (file name, source), sorted by name.
    static let templates: [(name: String, source: String)] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".jinja") }.sorted().compactMap { file in
            CaseLibrary.read(directory.appendingPathComponent(file)).map { (file, $0) }
        }
    }()

    /// A tool in the OpenAI shape every tool-calling template expects.
    static let weatherTool: TemplateValue = [
        "type": "function",
        "function": [
            "name": "get_weather",
            "description": "Current weather in a city.",
            "parameters": [
                "type": "object",
                "properties": ["city": ["type": "string", "description": "City name"]],
                "required": ["city"],
            ],
        ],
    ]

    /// One conversation, as the variables `apply_chat_template` passes.
    struct Conversation: Sendable {
        var name: String
        var variables: [String: TemplateValue]
    }

    private static func message(_ role: String, _ content: String, _ extra: [(String, TemplateValue)] = []) -> TemplateValue {
        var object = TemplateObject([("role", .string(role)), ("content", .string(content))])
        for (k, v) in extra { object[k] = v }
        return .object(object)
    }

    private static func variables(_ messages: [TemplateValue], tools: TemplateValue = nil,
                                  extra: [String: TemplateValue] = [:]) -> [String: TemplateValue] {
        var v: [String: TemplateValue] = [
            "messages": .array(messages), "add_generation_prompt": true, "bos_token": "<s>", "eos_token": "</s>",
            "tools": tools, "documents": nil,
        ]
        v.merge(extra) { _, new in new }
        return v
    }

    /// Templates refuse some shapes (Gemma 2 has no system role, Hermes needs tools, ...): every
    /// template renders at least one of these, and none of them runs into the budget.
    static let conversations: [Conversation] = {
        let chat = [message("system", "You are brief."), message("user", "Hi"), message("assistant", "Hello!"),
                    message("user", "Tell me a joke.")]
        let noSystem = Array(chat.dropFirst())
        let call: TemplateValue = [
            "id": "call12345", "type": "function",
            "function": ["name": "get_weather", "arguments": ["city": "Paris"]],
        ]
        let toolRound = [
            message("system", "You are brief."), message("user", "Weather in Paris?"),
            message("assistant", "", [("tool_calls", [call])]),
            message("tool", "{\"temperature\": 21}", [("tool_call_id", "call12345"), ("name", "get_weather")]),
            message("user", "Thanks."),
        ]
        let firefunction: [String: TemplateValue] = ["functions": "[]", "datetime": "2024-07-26"]
        return [
            Conversation(name: "chat", variables: variables(chat)),
            Conversation(name: "no-system", variables: variables(noSystem)),
            Conversation(name: "tools", variables: variables(chat, tools: [weatherTool])),
            Conversation(name: "tool-round-trip", variables: variables(toolRound, tools: [weatherTool])),
            Conversation(name: "tools-extra", variables: variables(chat, tools: [weatherTool], extra: firefunction)),
        ]
    }()

    /// A parsed template with the reference clock, so renders are reproducible.
    static func template(_ source: String) throws -> ChatTemplate {
        var template = try ChatTemplate(source: source)
        template.now = { CaseLibrary.fixedNow }
        template.timeZone = TimeZone(identifier: "UTC")!
        return template
    }
}
