import Foundation
import Hummingbird
import HummingbirdTesting
import KingletChatTemplate
import NIOCore
import Testing
@testable import KingletServer

/// `tools` on `/v1/chat/completions` with the real SmolLM2: calls come back as OpenAI
/// `tool_calls` whose arguments follow the function's schema, streamed as argument deltas that
/// rebuild the same calls; earlier calls and results round-trip; what cannot be honoured is a 400.
@Suite(.serialized) struct ToolRouteTests {
    static var weather: [String: Any] { ["type": "function", "function": [
        "name": "get_weather", "description": "The current weather in a city",
        "parameters": ["type": "object",
                       "properties": ["city": ["type": "string", "maxLength": 40], "unit": ["type": "string", "enum": ["celsius", "fahrenheit"]]],
                       "required": ["city", "unit"], "additionalProperties": false],
    ] as [String: Any]] }
    static var time: [String: Any] { ["type": "function", "function": ["name": "get_time", "description": "The time now"] as [String: Any]] }

    /// A body with its keys sorted: a schema's property order is its grammar's, and a dictionary's
    /// order is not fixed from run to run, so unsorted bodies would make seeded answers vary.
    static func body(_ object: Any) -> ByteBuffer {
        ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    static func request(_ extra: [String: Any], seed: Int = 1) -> [String: Any] {
        var r: [String: Any] = ["model": "smollm2-135m", "messages": [["role": "user", "content": "What is the weather in Paris?"]],
                                "tools": [weather, time], "max_tokens": 120, "temperature": 1, "seed": seed]
        r.merge(extra) { _, new in new }
        return r
    }

    /// The weather schema's checks, written out.
    static func validWeather(_ arguments: String) -> Bool {
        guard let o = try? JSONSerialization.jsonObject(with: Data(arguments.utf8)) as? [String: Any], Set(o.keys) == ["city", "unit"],
              let city = o["city"] as? String, city.count <= 40, let unit = o["unit"] as? String else { return false }
        return ["celsius", "fahrenheit"].contains(unit)
    }

    static func choice(_ r: TestResponse) throws -> [String: Any] {
        try #require((try RouteTests.json(r)["choices"] as? [[String: Any]])?.first)
    }

    static func calls(_ choice: [String: Any]) -> [(id: String, name: String, arguments: String)] {
        let message = choice["message"] as? [String: Any]
        return ((message?["tool_calls"] as? [[String: Any]]) ?? []).map { c in
            let f = c["function"] as? [String: Any]
            return (c["id"] as? String ?? "", f?["name"] as? String ?? "", f?["arguments"] as? String ?? "")
        }
    }

    @Test func requiredAndNamedCallsFollowTheSchema() async throws {
        let s = try RouteTests.server()
        defer { s.shutdown() }
        try await s.liveTest { client in
            var called = 0
            for seed in 1 ... 4 {
                let choiceValue: Any = seed % 2 == 0 ? "required" : ["type": "function", "function": ["name": "get_weather"]]
                let r = try await client.execute(uri: "/v1/chat/completions", method: .post, headers: RouteTests.jsonHeaders,
                                                 body: Self.body(Self.request(["tool_choice": choiceValue], seed: seed)))
                #expect(r.status == .ok, "\(String(buffer: r.body))")
                let choice = try Self.choice(r)
                guard choice["finish_reason"] as? String == "tool_calls" else {
                    #expect(choice["finish_reason"] as? String == "length", "\(choice)")
                    continue
                }
                called += 1
                let message = try #require(choice["message"] as? [String: Any])
                #expect(message.keys.contains("content") && message["content"] is NSNull, "a message that only calls has content null")
                let calls = Self.calls(choice)
                #expect(!calls.isEmpty)
                for c in calls {
                    #expect(c.id.hasPrefix("call_"))
                    #expect(["get_weather", "get_time"].contains(c.name))
                    if seed % 2 == 1 { #expect(c.name == "get_weather", "the named function") }
                    if c.name == "get_weather" { #expect(Self.validWeather(c.arguments), "seed \(seed): \(c.arguments)") }
                    if c.name == "get_time" {
                        #expect((try? JSONSerialization.jsonObject(with: Data(c.arguments.utf8)) as? [String: Any])?.isEmpty == true,
                                "a function without parameters takes {}: \(c.arguments)")
                    }
                }
            }
            #expect(called >= 3, "\(called) of 4 answers finished with calls")
        }
    }

    /// Streaming with a seed gives the non-streamed answer: the call's first delta carries id,
    /// type and name, later deltas carry pieces of the arguments, and they join to the same text.
    @Test func streamedCallsRebuildTheAnswer() async throws {
        // Without the prompt cache both requests evaluate the prompt alike: a reused prefix gives
        // logits that differ in the last bits, and greedy picks among the grammar's whitespace
        // tokens are near-ties.
        var o = ServerOptions()
        o.parallel = 1
        o.promptCache = false
        let s = OpenAIServer(options: o, modelID: "smollm2-135m")
        try s.modelLoaded(ServerTestSupport.engine.get())
        defer { s.shutdown() }
        try await s.liveTest { client in
            for choiceValue in ["required", "auto"] {
                // One serialization for both requests: a dictionary's key order is not fixed, and the
                // schema's property order is the grammar's.
                let body = try JSONSerialization.data(withJSONObject: Self.request(["tool_choice": choiceValue, "temperature": 0], seed: 3),
                                                      options: [.sortedKeys])
                let whole = try Self.choice(try await client.execute(uri: "/v1/chat/completions", method: .post, headers: RouteTests.jsonHeaders,
                                                                     body: ByteBuffer(bytes: body)))
                let streamed = Array(#"{"stream": true, "#.utf8) + body.dropFirst()
                let r = try await client.execute(uri: "/v1/chat/completions", method: .post, headers: RouteTests.jsonHeaders, body: ByteBuffer(bytes: streamed))
                let events = String(buffer: r.body).components(separatedBy: "\n\n").filter { !$0.isEmpty }
                #expect(events.last == "data: [DONE]")
                let chunks = try events.dropLast().map { try #require(JSONSerialization.jsonObject(with: Data($0.dropFirst(6).utf8)) as? [String: Any]) }
                var content = ""
                var calls: [(name: String, arguments: String)] = []
                var finish: String?
                for chunk in chunks {
                    guard let c = (chunk["choices"] as? [[String: Any]])?.first else { continue }
                    if let f = c["finish_reason"] as? String { finish = f }
                    let delta = try #require(c["delta"] as? [String: Any])
                    content += delta["content"] as? String ?? ""
                    for d in (delta["tool_calls"] as? [[String: Any]]) ?? [] {
                        let index = try #require(d["index"] as? Int)
                        let f = try #require(d["function"] as? [String: Any])
                        if index == calls.count {
                            #expect((d["id"] as? String)?.hasPrefix("call_") == true && d["type"] as? String == "function")
                            calls.append((try #require(f["name"] as? String), ""))
                        } else {
                            #expect(d["id"] == nil && f["name"] == nil, "only the first delta of a call names it")
                        }
                        calls[index].arguments += f["arguments"] as? String ?? ""
                    }
                }
                #expect(finish == whole["finish_reason"] as? String, "\(choiceValue)")
                let expected = Self.calls(whole)
                #expect(calls.map(\.name) == expected.map(\.name), "\(choiceValue)")
                #expect(calls.map(\.arguments) == expected.map(\.arguments), "\(choiceValue)")
                #expect(content == ((whole["message"] as? [String: Any])?["content"] as? String ?? ""), "\(choiceValue)")
            }
        }
    }

    /// A conversation with an earlier call and its result is accepted and answered; with
    /// `tool_choice: none` the answer is plain text.
    @Test func resultsRoundTrip() async throws {
        let s = try RouteTests.server()
        defer { s.shutdown() }
        try await s.liveTest { client in
            let messages: [[String: Any]] = [
                ["role": "user", "content": "What is the weather in Paris?"],
                ["role": "assistant", "content": NSNull(), "tool_calls": [["id": "call_abc", "type": "function",
                                                                          "function": ["name": "get_weather", "arguments": #"{"city":"Paris","unit":"celsius"}"#]]]],
                ["role": "tool", "tool_call_id": "call_abc", "content": "18 degrees and sunny"],
            ]
            for choiceValue in ["auto", "none"] {
                let r = try await client.execute(uri: "/v1/chat/completions", method: .post, headers: RouteTests.jsonHeaders,
                                                 body: Self.body(Self.request(["messages": messages, "tool_choice": choiceValue, "temperature": 0])))
                #expect(r.status == .ok, "\(String(buffer: r.body))")
                let choice = try Self.choice(r)
                let finish = choice["finish_reason"] as? String
                let message = try #require(choice["message"] as? [String: Any])
                if choiceValue == "none" {
                    #expect(Self.calls(choice).isEmpty && finish != "tool_calls")
                    #expect((message["content"] as? String)?.isEmpty == false)
                } else {
                    switch finish {
                    case "tool_calls": #expect(!Self.calls(choice).isEmpty, "\(choice)")
                    case "stop": #expect(message["content"] is String && Self.calls(choice).isEmpty, "\(choice)")
                    default: #expect(finish == "length", "\(choice)")  // cut inside the JSON: an incomplete value
                    }
                }
            }
        }
    }

    /// A template that knows tools (Hermes-style `<tool_call>` blocks) gets them in its `tools`
    /// variable, and a required call is held to the block syntax and parsed out of it.
    @Test func hermesTemplateCalls() async throws {
        var o = ServerOptions()
        o.parallel = 1
        o.maxBody = 64 * 1024
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Data/templates/tools-hermes.jinja")
        o.chatTemplate = try ChatTemplate(source: String(contentsOf: url, encoding: .utf8))
        let s = OpenAIServer(options: o, modelID: "smollm2-135m")
        try s.modelLoaded(ServerTestSupport.engine.get())
        defer { s.shutdown() }
        try await s.liveTest { client in
            let plain = try RouteTests.json(try await client.execute(uri: "/v1/chat/completions", method: .post, headers: RouteTests.jsonHeaders,
                                                                     body: Self.body(Self.request(["tools": NSNull(), "max_tokens": 1]))))
            let r = try await client.execute(uri: "/v1/chat/completions", method: .post, headers: RouteTests.jsonHeaders,
                                             body: Self.body(Self.request(["tool_choice": "required", "parallel_tool_calls": false], seed: 5)))
            #expect(r.status == .ok, "\(String(buffer: r.body))")
            let json = try RouteTests.json(r)
            let prompt = (json["usage"] as? [String: Any])?["prompt_tokens"] as? Int ?? 0
            let plainPrompt = (plain["usage"] as? [String: Any])?["prompt_tokens"] as? Int ?? 0
            #expect(prompt > plainPrompt + 50, "the tools are in the prompt (\(prompt) vs \(plainPrompt) tokens)")
            let choice = try Self.choice(r)
            if choice["finish_reason"] as? String == "tool_calls" {
                let calls = Self.calls(choice)
                #expect(calls.count == 1, "parallel_tool_calls false: one call")
                if calls.first?.name == "get_weather" { #expect(Self.validWeather(calls[0].arguments), "\(calls[0].arguments)") }
            } else {
                #expect(choice["finish_reason"] as? String == "length")
            }
        }
    }

    @Test func whatCannotBeHonouredIs400() async throws {
        let s = try RouteTests.server()
        defer { s.shutdown() }
        try await s.liveTest { client in
            func post(_ extra: [String: Any]) async throws -> TestResponse {
                try await client.execute(uri: "/v1/chat/completions", method: .post, headers: RouteTests.jsonHeaders, body: Self.body(Self.request(extra)))
            }
            try RouteTests.expectOpenAIError(try await post(["tool_choice": ["type": "function", "function": ["name": "nope"]]]), .badRequest,
                                             param: "tool_choice.function.name")
            try RouteTests.expectOpenAIError(try await post(["tool_choice": "required", "tools": NSNull()]), .badRequest, param: "tool_choice")
            try RouteTests.expectOpenAIError(try await post(["tool_choice": "maybe"]), .badRequest, param: "tool_choice")
            try RouteTests.expectOpenAIError(try await post(["tools": [["type": "retrieval"]]]), .badRequest, param: "tools[0].type")
            try RouteTests.expectOpenAIError(try await post(["tools": [["type": "function", "function": ["name": "bad name!"]]]]), .badRequest,
                                             param: "tools[0].function.name")
            try RouteTests.expectOpenAIError(try await post(["tools": [Self.weather, Self.weather]]), .badRequest, param: "tools[1].function.name")
            let unsupported: [String: Any] = ["type": "function", "function": ["name": "f", "parameters": ["type": "object", "patternProperties": ["^a": [:] as [String: Any]]]]]
            let e = try RouteTests.expectOpenAIError(try await post(["tools": [Self.time, unsupported]]), .badRequest, param: "tools[1].function.parameters")
            #expect((e["message"] as? String)?.contains("patternProperties") == true)
            try RouteTests.expectOpenAIError(try await post(["tool_choice": "required", "response_format": ["type": "json_object"]]), .badRequest,
                                             param: "response_format")
            try RouteTests.expectOpenAIError(try await post(["parallel_tool_calls": "yes"]), .badRequest, param: "parallel_tool_calls")
            try RouteTests.expectOpenAIError(try await post(["messages": [["role": "user", "content": "x",
                                                                          "tool_calls": [["id": "c", "type": "function", "function": ["name": "f", "arguments": "{}"]]]]]]),
                                             .badRequest, param: "messages[0].tool_calls")
        }
    }
}
