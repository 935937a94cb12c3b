import Foundation
import KingletChatTemplate
import KingletGrammar
import Testing
@testable import KingletRuntime

/// Tool calls without a model: the partial JSON reader, each format's parser on whole and
/// streamed answers, the generic prompt and history rewrite, and the grammars that hold answers
/// to the format.
@Suite struct ToolCallTests {
    static let weather = FunctionTool(
        name: "get_weather", description: "Current weather",
        parameters: try! JSONParser.parse(#"{"type":"object","properties":{"city":{"type":"string"},"unit":{"enum":["c","f"]}},"required":["city","unit"],"additionalProperties":false}"#))
    static let time = FunctionTool(name: "get_time")

    static func template(_ name: String) throws -> ChatTemplate {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Data/templates/\(name)")
        return try ChatTemplate(source: String(contentsOf: url, encoding: .utf8))
    }

    // MARK: - Partial JSON

    @Test func partialJSONReadsEveryPrefix() throws {
        let text = #"{"a": "x\"y\u00e9\ud83d\ude00", "b": [1, -2.5e3, true, null], "c": {"d": "é"}}"#
        let bytes = Array(text.utf8)
        var lastA = ""
        for n in 0 ... bytes.count {
            let prefix = String(decoding: bytes[..<n], as: UTF8.self)
            guard String(prefix.utf8).utf8.count == n else { continue }  // a cut inside a UTF-8 sequence
            let v = PartialJSON.parse(prefix)
            if n == 0 { #expect(v == nil); continue }
            let node = try #require(v, "prefix \(n): \(prefix)")
            #expect(node.complete == (n == bytes.count), "prefix \(n)")
            if let a = node.value["a"]?.string {
                #expect(a.hasPrefix(lastA), "decoded text only grows: \(lastA) → \(a)")
                lastA = a
            }
        }
        #expect(lastA == "x\"yé😀")
        let whole = try #require(PartialJSON.parse(text))
        let c = try #require(whole.value["c"])
        #expect(String(decoding: bytes[c.start ..< c.end], as: UTF8.self) == #"{"d": "é"}"#)
    }

    @Test func partialJSONRefusesWhatIsNotJSON() {
        for bad in ["{a", #"{"a" 1}"#, "[1 2]", "tru3", #"{"a": "\q"}"#, #""\udc00""#, "\"a\u{1}\"", "]"] {
            #expect(PartialJSON.parse(bad) == nil, "\(bad)")
        }
        #expect(PartialJSON.parse(String(repeating: "[", count: 300)) == nil, "nesting past the limit")
    }

    // MARK: - Parsers

    static let genericCall = #"{"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris", "unit": "c"}}, {"name": "get_time", "arguments": {}}]}"#

    @Test func genericAnswers() {
        let p = ToolCallParser(format: .generic)
        let calls = p.result(Self.genericCall)
        #expect(calls.content == nil)
        #expect(calls.calls.map(\.name) == ["get_weather", "get_time"])
        #expect(calls.calls.map(\.arguments) == [#"{"city": "Paris", "unit": "c"}"#, "{}"])
        #expect(calls.calls.allSatisfy { $0.id.hasPrefix("call_") && $0.id.count == 29 })
        let answer = p.result(#"{"response": "It is \"sunny\"."}"#)
        #expect(answer.content == #"It is "sunny"."# && answer.calls.isEmpty)
    }

    static let hermesAnswer = "Let me check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\", \"unit\": \"f\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>"

    @Test func hermesAnswers() {
        let p = ToolCallParser(format: .hermes)
        let a = p.result(Self.hermesAnswer)
        #expect(a.content == "Let me check.")
        #expect(a.calls.map(\.name) == ["get_weather", "get_time"])
        #expect(a.calls.first?.arguments == #"{"city": "Oslo", "unit": "f"}"#)
        // A block that is not a call stays text; an unfinished one at the end too.
        let broken = p.result("Hi <tool_call>\nnot json\n</tool_call> there")
        #expect(broken.calls.isEmpty && broken.content == "Hi <tool_call>\nnot json\n</tool_call> there")
        let cut = p.result("Hi <tool_call>\n{\"name\": \"get_time\", \"argu")
        #expect(cut.calls.isEmpty && cut.content == "Hi <tool_call>\n{\"name\": \"get_time\", \"argu")
        #expect(p.result("Plain answer.").content == "Plain answer.")
    }

    @Test func llama3Answers() {
        let p = ToolCallParser(format: .llama3)
        let a = p.result(#"<|python_tag|>{"name": "get_weather", "parameters": {"city": "Rome", "unit": "c"}}"#)
        #expect(a.calls.map(\.name) == ["get_weather"] && a.calls[0].arguments == #"{"city": "Rome", "unit": "c"}"#)
        #expect(a.content == nil)
        #expect(p.result(#"{"answer": 42}"#).content == #"{"answer": 42}"#, "a JSON answer that is not a call is text")
        #expect(p.result("The weather is fine.").calls.isEmpty)
    }

    /// Streamed one character at a time (and in uneven pieces), the events rebuild exactly the
    /// content and calls that the whole answer gives.
    @Test(arguments: [(ToolCallFormat.generic, genericCall), (.hermes, hermesAnswer),
                      (.llama3, #"{"name": "get_weather", "parameters": {"city": "Rome", "unit": "c"}}"#),
                      (.generic, #"{"response": "Sunny, 21 \u00b0C \ud83c\udf1e."}"#), (.hermes, "Only <text> here, no <tool_ call.")])
    func streamRebuildsTheAnswer(format: ToolCallFormat, text: String) {
        let whole = ToolCallParser(format: format).result(text)
        for step in [1, 3, 7] {
            var stream = ToolCallStream(parser: ToolCallParser(format: format))
            var events: [ToolCallStream.Event] = []
            var rest = Substring(text)
            while !rest.isEmpty {
                events += stream.append(String(rest.prefix(step)))
                rest = rest.dropFirst(step)
            }
            events += stream.finish()
            var content = ""
            var calls: [(id: String, name: String, arguments: String)] = []
            for e in events {
                switch e {
                case .content(let t): content += t
                case .callStart(let i, let id, let name):
                    #expect(i == calls.count)
                    calls.append((id, name, ""))
                case .arguments(let i, let t): calls[i].arguments += t
                }
            }
            #expect(content == (whole.content ?? ""), "step \(step)")
            #expect(calls.map(\.name) == whole.calls.map(\.name), "step \(step)")
            #expect(calls.map(\.arguments) == whole.calls.map(\.arguments), "step \(step)")
            #expect(stream.calls.map(\.id) == calls.map(\.id), "the final calls keep the streamed ids")
        }
    }

    // MARK: - Plans

    @Test func formatsAreDetectedFromTheTemplate() throws {
        #expect(ToolCallFormat.detect(template: try Self.template("tools-hermes.jinja").source) == .hermes)
        #expect(ToolCallFormat.detect(template: BuiltinChatTemplate.chatml.source) == .generic)
        #expect(ToolCallFormat.detect(template: BuiltinChatTemplate.llama3.source) == .generic, "llama.cpp's built-in Llama 3 format has no tools")
        #expect(ToolCallFormat.detect(template: "{% if tools %}{{ tools | tojson }}{% endif %}<|start_header_id|>ipython<|end_header_id|>") == .llama3)
    }

    @Test func genericPlanPromptsAndRewritesHistory() throws {
        let history = [
            ChatMessage(role: "user", content: "Weather in Oslo and the time?"),
            ChatMessage(role: "assistant", content: "", extra: ["tool_calls": .array([
                .object(["id": "call_1", "type": "function", "function": .object(["name": "get_weather", "arguments": .object(["city": "Oslo", "unit": "c"])])]),
                .object(["id": "call_2", "type": "function", "function": .object(["name": "get_time", "arguments": "{}"])]),
            ])]),
            ChatMessage(role: "tool", content: "-3 C", extra: ["tool_call_id": "call_1"]),
            ChatMessage(role: "tool", content: "09:14", extra: ["tool_call_id": "call_2"]),
        ]
        let plan = try ToolPlan(tools: [Self.weather, Self.time], choice: .auto, parallel: true, messages: history,
                                template: BuiltinChatTemplate.chatml.template())
        #expect(plan.format == .generic && plan.templateTools == nil && plan.constraint != nil)
        #expect(plan.messages.map(\.role) == ["system", "user", "assistant", "user"], "the two results share one user turn")
        #expect(plan.messages[0].content.contains("\"name\":\"get_weather\"") && plan.messages[0].content.contains(#"{"response": "#))
        #expect(plan.messages[2].content == #"{"tool_calls":[{"name":"get_weather","arguments":{"city":"Oslo","unit":"c"}},{"name":"get_time","arguments":"{}"}]}"#)
        #expect(plan.messages[2].extra["tool_calls"] == nil)
        #expect(plan.messages[3].content == #"{"tool_response":{"tool_call_id":"call_1","name":"get_weather","content":"-3 C"}}"# + "\n"
                 + #"{"tool_response":{"tool_call_id":"call_2","name":"get_time","content":"09:14"}}"#)
        // `none`: no tools shown, no grammar, but the history is still rewritten.
        let none = try ToolPlan(tools: [Self.weather], choice: .none, parallel: true, messages: history, template: BuiltinChatTemplate.chatml.template())
        #expect(none.constraint == nil && none.parser.format == nil && none.messages.count == 3 && none.messages[0].role == "user")
    }

    @Test func hermesPlanRendersToolsThroughTheTemplate() throws {
        let template = try Self.template("tools-hermes.jinja")
        let history = [ChatMessage(role: "user", content: "Weather in Oslo?"),
                       ChatMessage(role: "assistant", content: "", extra: ["tool_calls": .array([
                           .object(["id": "call_1", "type": "function", "function": .object(["name": "get_weather", "arguments": .object(["city": "Oslo"])])])])]),
                       ChatMessage(role: "tool", content: "-3 C", extra: ["tool_call_id": "call_1"])]
        let auto = try ToolPlan(tools: [Self.weather], choice: .auto, parallel: true, messages: history, template: template)
        #expect(auto.format == .hermes && auto.constraint == nil && auto.messages == history)
        let text = try template.render(messages: auto.messages, addGenerationPrompt: true, bosToken: "", eosToken: "", tools: auto.templateTools)
        #expect(text.contains(#"{"type": "function", "function": {"name": "get_weather", "description": "Current weather", "parameters": {"type": "object""#))
        #expect(text.contains("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}\n</tool_call>"))
        #expect(text.contains("<tool_response>\n-3 C\n</tool_response>") && text.hasSuffix("<|im_start|>assistant\n"))
        let required = try ToolPlan(tools: [Self.weather], choice: .required, parallel: false, messages: history, template: template)
        #expect(required.constraint != nil)
    }

    /// The grammars accept exactly the answers of the format: only offered functions, arguments
    /// that follow their schema, `response` only when the choice allows an answer.
    @Test func grammarsHoldAnswersToTheFormat() throws {
        func accepts(_ plan: ToolPlan, _ text: String) throws -> Bool {
            let m = try GrammarMatcher(grammar: try #require(plan.constraint).grammar)
            return m.canAccept(bytes: Array(text.utf8)) && (try? m.accept(bytes: Array(text.utf8))) != nil && m.isAccepting
        }
        let chatml = try BuiltinChatTemplate.chatml.template()
        let auto = try ToolPlan(tools: [Self.weather, Self.time], choice: .auto, parallel: true, messages: [], template: chatml)
        #expect(try accepts(auto, Self.genericCall))
        #expect(try accepts(auto, #"{"response": "hi"}"#))
        #expect(try !accepts(auto, #"{"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris", "unit": "k"}}]}"#), "enum")
        #expect(try !accepts(auto, #"{"tool_calls": [{"name": "rm_rf", "arguments": {}}]}"#), "unknown function")
        #expect(try !accepts(auto, #"{"tool_calls": []}"#), "at least one call")
        let named = try ToolPlan(tools: [Self.weather, Self.time], choice: .function("get_time"), parallel: false, messages: [], template: chatml)
        #expect(try accepts(named, #"{"tool_calls": [{"name": "get_time", "arguments": {}}]}"#))
        #expect(try !accepts(named, #"{"response": "hi"}"#), "a required call")
        #expect(try !accepts(named, #"{"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris", "unit": "c"}}]}"#))
        #expect(try !accepts(named, #"{"tool_calls": [{"name": "get_time", "arguments": {}}, {"name": "get_time", "arguments": {}}]}"#), "one call without parallel")
        let hermes = try ToolPlan(tools: [Self.weather], choice: .required, parallel: true, messages: [], template: try Self.template("tools-hermes.jinja"))
        #expect(try accepts(hermes, "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\", \"unit\": \"f\"}}\n</tool_call>"))
        #expect(try !accepts(hermes, "Sure! <tool_call>"))
        #expect(throws: ToolError.unknownFunction("nope", known: ["get_weather"])) {
            try ToolPlan(tools: [Self.weather], choice: .function("nope"), parallel: true, messages: [], template: chatml)
        }
        let bad = FunctionTool(name: "f", parameters: try JSONParser.parse(#"{"type": "object", "patternProperties": {"a": {}}}"#))
        #expect(throws: ToolError.self) { try ToolPlan(tools: [bad], choice: .auto, parallel: true, messages: [], template: chatml) }
    }
}
