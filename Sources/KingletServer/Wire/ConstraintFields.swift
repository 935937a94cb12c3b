import KingletGrammar
import KingletRuntime

/// The request fields that constrain the output: OpenAI's `response_format` (`text`,
/// `json_object`, `json_schema`) and llama.cpp's `grammar` (GBNF text) and `json_schema`. A schema
/// keyword that would not be enforced, or a grammar that does not compile, is a 400 naming the
/// field (`param`), the keyword and its JSON path: never ignored.
enum ConstraintFields {
    /// The field names, as sent.
    static let names = ["response_format", "grammar", "json_schema"]

    /// The request body as a JSON value with its keys in order (already known to be valid JSON):
    /// schemas list properties in the order the output should have them, and `Codable` keeps no order.
    static func orderedBody(_ body: [UInt8]) throws(APIError) -> JSONValue {
        do {
            return try JSONParser.parse(bytes: body)
        } catch {
            throw .invalid("The body could not be read for 'response_format' / 'grammar' / 'json_schema' / 'tools': \(error)", param: "response_format")
        }
    }

    /// Reads the fields from the request body (see ``orderedBody(_:)``).
    static func constraint(root: JSONValue) throws(APIError) -> OutputConstraint? {
        var found: [(param: String, constraint: OutputConstraint)] = []
        if let format = root["response_format"].present {
            if let c = try responseFormat(format) { found.append(("response_format", c)) }
        }
        if let g = root["grammar"].present {
            guard case .string(let text) = g else { throw .invalid("'grammar' must be a string of GBNF text.", param: "grammar") }
            found.append(("grammar", try compile("grammar") { () throws(GrammarError) in try .gbnf(text) }))
        }
        if let s = root["json_schema"].present {
            found.append(("json_schema", try schema(s, param: "json_schema")))
        }
        guard found.count <= 1 else {
            throw .invalid("Both '\(found[0].param)' and '\(found[1].param)' constrain the output; send one.", param: found[1].param)
        }
        return found.first?.constraint
    }

    /// `{"type": "text" | "json_object" | "json_schema", "json_schema": {"name", "schema", "strict"}}`.
    private static func responseFormat(_ format: JSONValue) throws(APIError) -> OutputConstraint? {
        guard case .object = format, case .string(let type)? = format["type"] else {
            throw .invalid("'response_format' must be an object with a 'type': \"text\", \"json_object\" or \"json_schema\".",
                           param: "response_format.type")
        }
        switch type {
        case "text": return nil
        case "json_object": return .jsonObject
        case "json_schema":
            guard let spec = format["json_schema"].present, case .object = spec else {
                throw .invalid("'response_format.json_schema' must be an object with a 'schema'.", param: "response_format.json_schema")
            }
            if let strict = spec["strict"].present, case .bool = strict {} else if spec["strict"].present != nil {
                throw .invalid("'response_format.json_schema.strict' must be a boolean.", param: "response_format.json_schema.strict")
            }
            guard let s = spec["schema"].present else {
                throw .invalid("Missing required field 'response_format.json_schema.schema'.", param: "response_format.json_schema.schema")
            }
            return try schema(s, param: "response_format.json_schema.schema")
        default:
            throw .invalid("Unknown 'response_format.type' '\(type)': use \"text\", \"json_object\" or \"json_schema\".",
                           param: "response_format.type")
        }
    }

    private static func schema(_ value: JSONValue, param: String) throws(APIError) -> OutputConstraint {
        guard case .object = value else { throw .invalid("'\(param)' must be a JSON Schema object.", param: param) }
        return try compile(param) { () throws(GrammarError) in
            let text = try JSONSchemaConverter.gbnf(schema: value)
            return OutputConstraint(grammar: try Grammar(gbnf: text), key: "gbnf:" + text)
        }
    }

    /// Runs `build`, turning its `GrammarError` into a 400 for `param`.
    private static func compile(_ param: String, _ build: () throws(GrammarError) -> OutputConstraint) throws(APIError) -> OutputConstraint {
        do {
            return try build()
        } catch {
            let code: String
            switch error {
            case .unsupportedSchema: code = "unsupported_schema_keyword"
            case .invalidSchema: code = "invalid_schema"
            default: code = "invalid_grammar"
            }
            throw .invalid("'\(param)': \(error)", param: param, code: code)
        }
    }

}

extension Optional where Wrapped == JSONValue {
    /// Nil for an absent or null field.
    var present: JSONValue? {
        if case .null? = self { return nil }
        return self
    }
}
