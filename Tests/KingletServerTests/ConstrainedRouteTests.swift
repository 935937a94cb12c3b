import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import KingletServer

/// `response_format`, `grammar` and `json_schema` on the routes with the real SmolLM2: sampled
/// answers validate; what cannot be enforced is a 400 naming the field, keyword and path.
@Suite(.serialized) struct ConstrainedRouteTests {
    static var schema: [String: Any] { [
        "type": "object",
        "properties": ["colour": ["type": "string", "enum": ["red", "green", "blue"]],
                       "count": ["type": "integer", "minimum": 1, "maximum": 12]],
        "required": ["colour", "count"], "additionalProperties": false,
    ] }

    static func request(_ format: [String: Any], seed: Int) -> [String: Any] {
        ["model": "smollm2-135m", "messages": [["role": "user", "content": "Pick a colour and a number, as JSON."]],
         "max_tokens": 96, "temperature": 1, "seed": seed, "response_format": format]
    }

    /// The schema's checks, written out: the two keys only, a listed colour, an integer in 1...12.
    static func satisfies(_ object: Any) -> Bool {
        guard let o = object as? [String: Any], Set(o.keys) == ["colour", "count"],
              let colour = o["colour"] as? String, ["red", "green", "blue"].contains(colour),
              let n = o["count"] as? NSNumber, n.doubleValue == n.doubleValue.rounded(), (1 ... 12).contains(n.intValue) else { return false }
        return true
    }

    @Test func jsonSchemaAnswersValidate() async throws {
        let s = try RouteTests.server()
        defer { s.shutdown() }
        try await s.liveTest { client in
            var finished = 0
            for seed in 1 ... 4 {
                let format: [String: Any] = ["type": "json_schema", "json_schema": ["name": "pick", "schema": Self.schema, "strict": true]]
                let r = try await client.execute(uri: "/v1/chat/completions", method: .post, headers: RouteTests.jsonHeaders,
                                                 body: RouteTests.body(Self.request(format, seed: seed)))
                #expect(r.status == .ok, "\(String(buffer: r.body))")
                let choice = try #require((try RouteTests.json(r)["choices"] as? [[String: Any]])?.first)
                let content = try #require((choice["message"] as? [String: Any])?["content"] as? String)
                guard choice["finish_reason"] as? String == "stop" else {
                    #expect(choice["finish_reason"] as? String == "length")
                    continue
                }
                finished += 1
                let value = try JSONSerialization.jsonObject(with: Data(content.utf8), options: [.fragmentsAllowed])
                #expect(Self.satisfies(value), "seed \(seed): \(content)")
            }
            #expect(finished >= 3, "\(finished) of 4 answers finished")

            // llama.cpp's `json_schema` on the text completion.
            let r = try await client.execute(uri: "/v1/completions", method: .post, headers: RouteTests.jsonHeaders, body: RouteTests.body(
                ["model": "smollm2-135m", "prompt": "A colour and a number as JSON:", "max_tokens": 96, "temperature": 1, "seed": 7,
                 "json_schema": Self.schema] as [String: Any]))
            #expect(r.status == .ok)
            let choice = try #require((try RouteTests.json(r)["choices"] as? [[String: Any]])?.first)
            if choice["finish_reason"] as? String == "stop" {
                let text = try #require(choice["text"] as? String)
                #expect(Self.satisfies(try JSONSerialization.jsonObject(with: Data(text.utf8))), "\(text)")
            }
        }
    }

    @Test func unenforceableConstraintsAre400() async throws {
        let s = try RouteTests.server()
        defer { s.shutdown() }
        try await s.liveTest { client in
            func post(_ body: [String: Any], _ uri: String = "/v1/chat/completions") async throws -> TestResponse {
                try await client.execute(uri: uri, method: .post, headers: RouteTests.jsonHeaders, body: RouteTests.body(body))
            }
            var schema = Self.schema
            schema["properties"] = ["count": ["type": "integer", "multipleOf": 2]]
            schema["required"] = ["count"]
            let format: [String: Any] = ["type": "json_schema", "json_schema": ["name": "n", "schema": schema, "strict": true]]
            var e = try RouteTests.expectOpenAIError(try await post(Self.request(format, seed: 1)), .badRequest,
                                                     param: "response_format.json_schema.schema")
            var message = e["message"] as? String ?? ""
            #expect(message.contains("multipleOf") && message.contains("$.properties.count.multipleOf"), "\(message)")

            var body = RouteTests.hello
            body["json_schema"] = schema
            e = try RouteTests.expectOpenAIError(try await post(body), .badRequest, param: "json_schema")
            #expect((e["message"] as? String ?? "").contains("multipleOf"))

            body = ["model": "smollm2-135m", "prompt": "x", "grammar": "root ::= \"a\" undefined-rule"]
            e = try RouteTests.expectOpenAIError(try await post(body, "/v1/completions"), .badRequest, param: "grammar")
            message = e["message"] as? String ?? ""
            #expect(message.contains("undefined-rule"), "\(message)")

            body = RouteTests.hello
            body["response_format"] = ["type": "xml"]
            try RouteTests.expectOpenAIError(try await post(body), .badRequest, param: "response_format.type")

            body = RouteTests.hello
            body["response_format"] = ["type": "json_object"]
            body["grammar"] = "root ::= \"a\""
            try RouteTests.expectOpenAIError(try await post(body), .badRequest, param: "grammar")

            // `text` is no constraint; `json_object` gives an object.
            body = RouteTests.hello
            body["response_format"] = ["type": "json_object"]
            body["max_tokens"] = 64
            let r = try await post(body)
            #expect(r.status == .ok)
            let choice = try #require((try RouteTests.json(r)["choices"] as? [[String: Any]])?.first)
            let content = try #require((choice["message"] as? [String: Any])?["content"] as? String)
            #expect(content.hasPrefix("{"), "\(content)")
            if choice["finish_reason"] as? String == "stop" {
                #expect(try JSONSerialization.jsonObject(with: Data(content.utf8)) is [String: Any], "\(content)")
            }
        }
    }
}
