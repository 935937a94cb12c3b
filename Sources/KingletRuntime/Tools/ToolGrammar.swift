import KingletGrammar

/// The grammar that holds an answer to its tool format.
///
/// - generic: always (one JSON envelope; `auto` also allows `{"response": ...}`);
/// - hermes: when a call is required, one `<tool_call>` block (or several, with parallel calls);
/// - llama3: when a call is required, the call object.
///
/// Each call's arguments follow its function's parameters schema; a function's name is a
/// constant, so only offered functions can be called.
enum ToolGrammar {
    static func constraint(format: ToolCallFormat, tools: [FunctionTool], mustCall: Bool,
                           parallel: Bool) throws(ToolError) -> OutputConstraint? {
        for t in tools {  // each schema on its own first, so an error names its function
            do { _ = try JSONSchemaConverter.gbnf(schema: t.argumentsSchema) } catch {
                throw .unsupportedParameters(function: t.name, reason: "\(error)")
            }
        }
        let call = try callSchema(tools, argumentsKey: format.argumentsKey)
        switch format {
        case .generic:
            var calls: [(key: String, value: JSONValue)] = [("type", .string("array")), ("items", call), ("minItems", number(1))]
            if !parallel { calls.append(("maxItems", number(1))) }
            let envelope = object(["tool_calls": .object(calls)])
            let schema = mustCall ? envelope : .object([("anyOf", .array([envelope, object(["response": .object([("type", .string("string"))])])]))])
            return try compile(schema, rule: "root", extra: "", function: tools.map(\.name).joined(separator: ", "))
        case .hermes:
            guard mustCall else { return nil }
            let block = #""<tool_call>\n" tool-call "\n</tool_call>""#
            let root = parallel ? "root ::= \(block) (\"\\n\" \(block))*\n" : "root ::= \(block)\n"
            return try compile(call, rule: "tool-call", extra: root, function: tools.map(\.name).joined(separator: ", "))
        case .llama3:
            guard mustCall else { return nil }
            return try compile(call, rule: "root", extra: "", function: tools.map(\.name).joined(separator: ", "))
        }
    }

    /// `{"name": <const>, "<argumentsKey>": <parameters>}` for each tool, as one schema.
    private static func callSchema(_ tools: [FunctionTool], argumentsKey: String) throws(ToolError) -> JSONValue {
        let each = tools.map { t in
            object(["name": .object([("const", .string(t.name))]), argumentsKey: t.argumentsSchema])
        }
        return each.count == 1 ? each[0] : .object([("anyOf", .array(each))])
    }

    /// A closed object schema: these properties, all required, in this order.
    private static func object(_ properties: KeyValuePairs<String, JSONValue>) -> JSONValue {
        .object([
            ("type", .string("object")),
            ("properties", .object(properties.map { ($0.key, $0.value) })),
            ("required", .array(properties.map { .string($0.key) })),
            ("additionalProperties", .bool(false)),
        ])
    }

    private static func number(_ n: Int) -> JSONValue { .number(String(n), Double(n)) }

    private static func compile(_ schema: JSONValue, rule: String, extra: String, function: String) throws(ToolError) -> OutputConstraint {
        do {
            let text = extra + (try JSONSchemaConverter.gbnf(schema: schema, rule: rule))
            return OutputConstraint(grammar: try Grammar(gbnf: text), key: "gbnf:" + text)
        } catch {
            throw .unsupportedParameters(function: function, reason: "\(error)")
        }
    }
}
