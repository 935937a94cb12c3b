/// JSON Schema → GBNF, failing closed: every keyword either shapes the grammar or is refused with
/// ``GrammarError/unsupportedSchema(keyword:path:reason:)`` naming it and its JSON path. Every
/// string the grammar produces validates against the schema (some valid strings are never
/// produced: see the README's "Constrained output" list).
public enum JSONSchemaConverter {
    /// Keywords that describe and never constrain: accepted and ignored.
    static let annotations: Set<String> = ["title", "description", "$comment", "examples", "default", "$schema", "$id",
                                           "deprecated", "readOnly", "writeOnly", "$defs", "definitions"]
    /// Keywords that constrain and are enforced.
    static let enforced: Set<String> = ["type", "properties", "required", "additionalProperties", "enum", "const", "items",
                                        "anyOf", "$ref", "minLength", "maxLength", "pattern", "format", "minimum", "maximum",
                                        "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems", "uniqueItems"]

    /// GBNF text for a schema given as JSON text.
    public static func gbnf(schema: String) throws(GrammarError) -> String {
        let parsed: JSONValue
        do { parsed = try JSONParser.parse(schema) } catch { throw .invalidSchema("not JSON: \(error)", path: "$") }
        return try gbnf(schema: parsed)
    }

    /// GBNF text for a parsed schema. `rule` names the schema's rule: `root` for a grammar of
    /// its own, another name to embed the schema in a larger grammar (which then defines `root`).
    public static func gbnf(schema: JSONValue, rule: String = "root") throws(GrammarError) -> String {
        var b = SchemaGrammarBuilder(root: schema)
        let expr = try b.visit(schema, path: "$")
        var text = "\(rule) ::= \(expr)\n"
        for (name, body) in b.rules { text += "\(name) ::= \(body)\n" }
        text += Grammar.jsonRules + "\n" + StringFormats.rules + "\n"
        return text
    }
}

extension Grammar {
    /// The grammar of the JSON texts that validate against `jsonSchema` (see ``JSONSchemaConverter``).
    ///
    /// - Throws: ``GrammarError/unsupportedSchema(keyword:path:reason:)`` for a keyword that would
    ///   not be enforced, ``GrammarError/invalidSchema(_:path:)`` for a malformed schema.
    public init(jsonSchema: String) throws(GrammarError) {
        try self.init(gbnf: try JSONSchemaConverter.gbnf(schema: jsonSchema))
    }
}

/// The converter's state: rules made so far, named after where they come from.
struct SchemaGrammarBuilder {
    let root: JSONValue
    private(set) var rules: [(String, String)] = []
    private var names = Set<String>()
    private var refRules: [String: String] = [:]
    private var setRules: [CodePointSet: String] = [:]

    init(root: JSONValue) { self.root = root }

    mutating func rule(_ hint: String, _ body: String) -> String {
        let name = reserve(hint)
        rules.append((name, body))
        return name
    }

    private mutating func reserve(_ hint: String) -> String {
        var base = "x-" + String(hint.unicodeScalars.map { c -> Character in
            ("a" ... "z").contains(c) || ("A" ... "Z").contains(c) || ("0" ... "9").contains(c) ? Character(c) : "-"
        }.prefix(40))
        while base.contains("--") { base = base.replacing("--", with: "-") }
        var name = base, k = 1
        while names.contains(name) { k += 1; name = "\(base)-\(k)" }
        names.insert(name)
        return name
    }

    // MARK: - Schemas

    mutating func visit(_ schema: JSONValue, path: String) throws(GrammarError) -> String {
        switch schema {
        case .bool(true): return "value"
        case .bool(false): throw GrammarError.unsupportedSchema(keyword: "false", path: path, reason: "a schema that matches nothing")
        case .object: break
        default: throw GrammarError.invalidSchema("a schema must be an object or a boolean", path: path)
        }
        guard case .object(let members) = schema else { return "value" }
        for m in members where !JSONSchemaConverter.annotations.contains(m.key) && !JSONSchemaConverter.enforced.contains(m.key) {
            throw GrammarError.unsupportedSchema(keyword: m.key, path: "\(path).\(m.key)", reason: "this keyword is not supported")
        }
        if let u = schema["uniqueItems"], u != .bool(false) {
            throw GrammarError.unsupportedSchema(keyword: "uniqueItems", path: "\(path).uniqueItems", reason: "uniqueness is not enforced")
        }
        let constraining = members.map(\.key).filter { JSONSchemaConverter.enforced.contains($0) }
        func alone(_ keyword: String, allowing: Set<String> = []) throws(GrammarError) {
            if let other = constraining.first(where: { $0 != keyword && !allowing.contains($0) }) {
                throw GrammarError.unsupportedSchema(keyword: other, path: "\(path).\(other)", reason: "cannot be combined with '\(keyword)' here")
            }
        }
        if let ref = schema["$ref"] {
            try alone("$ref")
            return try reference(ref, path: "\(path).$ref")
        }
        if let anyOf = schema["anyOf"] {
            try alone("anyOf")
            guard case .array(let options) = anyOf, !options.isEmpty else {
                throw GrammarError.invalidSchema("anyOf must be a non-empty array", path: "\(path).anyOf")
            }
            var alts: [String] = []
            for (i, o) in options.enumerated() { alts.append(try visit(o, path: "\(path).anyOf[\(i)]")) }
            return "(" + alts.joined(separator: " | ") + ")"
        }
        let types = try typeList(schema, path: path)
        if schema["enum"] != nil || schema["const"] != nil {
            return try literals(schema, types: types, path: path, alone: alone)
        }
        guard let types else { return "value" }
        var alts: [String] = []
        for t in types { alts.append(try typed(t, schema, path: path)) }
        return alts.count == 1 ? alts[0] : "(" + alts.joined(separator: " | ") + ")"
    }

    /// The declared types, or those implied by type-specific keywords; nil for any value.
    private func typeList(_ schema: JSONValue, path: String) throws(GrammarError) -> [String]? {
        let known = ["string", "integer", "number", "boolean", "null", "object", "array"]
        switch schema["type"] {
        case .string(let t)?:
            guard known.contains(t) else { throw GrammarError.invalidSchema("unknown type '\(t)'", path: "\(path).type") }
            return [t]
        case .array(let list)?:
            var out: [String] = []
            for v in list {
                guard case .string(let t) = v, known.contains(t) else { throw GrammarError.invalidSchema("bad type list", path: "\(path).type") }
                if !out.contains(t) { out.append(t) }
            }
            guard !out.isEmpty else { throw GrammarError.invalidSchema("empty type list", path: "\(path).type") }
            return out
        case nil: break
        default: throw GrammarError.invalidSchema("type must be a string or an array", path: "\(path).type")
        }
        // No type: restricting to the type the keywords talk about keeps outputs valid.
        let implied: [(String, [String])] = [
            ("object", ["properties", "required", "additionalProperties"]), ("array", ["items", "minItems", "maxItems"]),
            ("string", ["minLength", "maxLength", "pattern", "format"]),
            ("number", ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]),
        ]
        let hits = implied.filter { entry in entry.1.contains { schema[$0] != nil } }.map(\.0)
        if hits.count > 1 {
            throw GrammarError.unsupportedSchema(keyword: "type", path: "\(path).type", reason: "missing, and the keywords imply several types (\(hits.joined(separator: ", ")))")
        }
        // Bounds are enforced on integers only; integers are numbers, so this stays sound.
        return hits.first.map { [$0 == "number" ? "integer" : $0] }
    }

    private mutating func literals(_ schema: JSONValue, types: [String]?, path: String,
                                   alone: (String, Set<String>) throws(GrammarError) -> Void) throws(GrammarError) -> String {
        var values: [JSONValue] = []
        if let c = schema["const"] {
            try alone("const", ["type"])
            values = [c]
        } else if let e = schema["enum"] {
            try alone("enum", ["type"])
            guard case .array(let list) = e else { throw GrammarError.invalidSchema("enum must be an array", path: "\(path).enum") }
            values = list
        }
        if let types {
            values = values.filter { v in types.contains(v.typeName) || (v.typeName == "integer" && types.contains("number")) }
        }
        guard !values.isEmpty else { throw GrammarError.unsupportedSchema(keyword: "enum", path: "\(path).enum", reason: "no value matches the schema") }
        return "(" + values.map { GBNF.literal($0.compactText) }.joined(separator: " | ") + ")"
    }

    private mutating func reference(_ ref: JSONValue, path: String) throws(GrammarError) -> String {
        guard case .string(let pointer) = ref, pointer == "#" || pointer.hasPrefix("#/") else {
            throw GrammarError.unsupportedSchema(keyword: "$ref", path: path, reason: "only local references ('#', '#/$defs/name') are supported")
        }
        if let name = refRules[pointer] { return name }
        var target = root
        for raw in pointer.dropFirst(2).split(separator: "/", omittingEmptySubsequences: false) where pointer != "#" {
            let token = String(raw).replacing("~1", with: "/").replacing("~0", with: "~")
            if let next = target[token] { target = next }
            else if case .array(let items) = target, let k = Int(token), items.indices.contains(k) { target = items[k] }
            else { throw GrammarError.invalidSchema("reference '\(pointer)' does not resolve", path: path) }
        }
        let name = reserve("ref-" + (pointer == "#" ? "root" : String(pointer.split(separator: "/").last ?? "ref")))
        refRules[pointer] = name
        let body = try visit(target, path: pointer == "#" ? "$" : "$" + pointer.dropFirst().replacing("/", with: "."))
        rules.append((name, body))
        return name
    }

    /// A rule for one JSON-encoded character out of `set` (pattern translation).
    mutating func characterRule(_ set: CodePointSet) -> String {
        if let name = setRules[set] { return name }
        var alts: [String] = []
        var raw = set.subtracting(CodePointSet([0 ... 0x1F, 0x22 ... 0x22, 0x5C ... 0x5C]))
        raw.formIntersection(.all)
        if !raw.isEmpty { alts.append(GBNF.characterClass(raw)) }
        for c in [UInt32(0x22), 0x5C] + Array(0 ..< 0x20) where set.contains(c) {
            let escaped = JSONValue.quote(String(Character(Unicode.Scalar(c) ?? " "))).dropFirst().dropLast()
            alts.append(GBNF.literal(String(escaped)))
        }
        let name = rule("cls-\(setRules.count)", alts.isEmpty ? "[^\\x00-\\U0010FFFF]" : alts.joined(separator: " | "))
        setRules[set] = name
        return name
    }
}
