/// The grammar of each JSON type under its keywords.
extension SchemaGrammarBuilder {
    mutating func typed(_ type: String, _ schema: JSONValue, path: String) throws(GrammarError) -> String {
        switch type {
        case "string": return try string(schema, path: path)
        case "integer": return try integer(schema, path: path)
        case "number":
            for k in ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"] where schema[k] != nil {
                throw GrammarError.unsupportedSchema(keyword: k, path: "\(path).\(k)", reason: "bounds are enforced for type integer only")
            }
            return "number"
        case "boolean": return "boolean"
        case "null": return "null"
        case "object": return try object(schema, path: path)
        default: return try array(schema, path: path)
        }
    }

    private func count(_ schema: JSONValue, _ key: String, path: String) throws(GrammarError) -> Int? {
        guard let v = schema[key] else { return nil }
        guard case .number(_, let d) = v, d >= 0, d == d.rounded(), d <= 100_000 else {
            throw GrammarError.invalidSchema("\(key) must be a whole number from 0 to 100000", path: "\(path).\(key)")
        }
        return Int(d)
    }

    private func bounds(_ schema: JSONValue, path: String) throws(GrammarError) -> (Int, Int?) {
        let lo = try count(schema, schema["minLength"] != nil ? "minLength" : "minItems", path: path) ?? 0
        let hi = try count(schema, schema["maxLength"] != nil ? "maxLength" : "maxItems", path: path)
        if let hi, hi < lo { throw GrammarError.invalidSchema("maximum below minimum: nothing matches", path: path) }
        return (lo, hi)
    }

    private mutating func string(_ schema: JSONValue, path: String) throws(GrammarError) -> String {
        let special = ["pattern", "format"].filter { schema[$0] != nil }
        let lengths = ["minLength", "maxLength"].filter { schema[$0] != nil }
        if special.count + (lengths.isEmpty ? 0 : 1) > 1 {
            let k = special.last ?? "format"
            throw GrammarError.unsupportedSchema(keyword: k, path: "\(path).\(k)", reason: "cannot be combined with \((special.dropLast() + lengths).joined(separator: ", "))")
        }
        if let f = schema["format"] {
            guard case .string(let name) = f, StringFormats.supported.contains(name) else {
                throw GrammarError.unsupportedSchema(keyword: "format", path: "\(path).format",
                                                     reason: "format \(f.compactText) is not enforced (supported: \(StringFormats.supported.joined(separator: ", ")))")
            }
            return "\"\\\"\" fmt-\(name) \"\\\"\""
        }
        if let p = schema["pattern"] {
            guard case .string(let pattern) = p else { throw GrammarError.invalidSchema("pattern must be a string", path: "\(path).pattern") }
            var this = self
            let body = try RegexTranslator.translate(pattern, path: "\(path).pattern", anyChar: "char") { this.characterRule($0) }
            self = this
            return rule(path + "-pattern", "\"\\\"\" \(body) \"\\\"\"")
        }
        let (lo, hi) = try bounds(schema, path: path)
        if lo == 0 && hi == nil { return "string" }
        return "\"\\\"\" char{\(lo),\(hi.map(String.init) ?? "")} \"\\\"\""
    }

    private func integer(_ schema: JSONValue, path: String) throws(GrammarError) -> String {
        func bound(_ key: String, _ round: (Double) -> Double, _ shift: Double) throws(GrammarError) -> Double? {
            guard let v = schema[key] else { return nil }
            guard case .number(_, let d) = v, d.isFinite else { throw GrammarError.invalidSchema("\(key) must be a number", path: "\(path).\(key)") }
            return round(d) == d && shift != 0 ? d + shift : round(d)
        }
        var lo = try bound("minimum", { $0.rounded(.up) }, 0)
        var hi = try bound("maximum", { $0.rounded(.down) }, 0)
        if let x = try bound("exclusiveMinimum", { $0.rounded(.up) }, 1) { lo = max(lo ?? x, x) }
        if let x = try bound("exclusiveMaximum", { $0.rounded(.down) }, -1) { hi = min(hi ?? x, x) }
        let limit = 1e18
        if lo == nil && hi == nil { return "integer" }
        let l = lo.map { Int(max(-limit, min(limit, $0))) }, h = hi.map { Int(max(-limit, min(limit, $0))) }
        if let l, let h, h < l { throw GrammarError.invalidSchema("minimum above maximum: no integer matches", path: path) }
        return IntegerRange.expression(low: l, high: h)
    }

    private mutating func object(_ schema: JSONValue, path: String) throws(GrammarError) -> String {
        var props: [(key: String, value: JSONValue)] = []
        if let p = schema["properties"] {
            guard case .object(let members) = p else { throw GrammarError.invalidSchema("properties must be an object", path: "\(path).properties") }
            props = members
        }
        var required = Set<String>()
        if let r = schema["required"] {
            guard case .array(let list) = r else { throw GrammarError.invalidSchema("required must be an array", path: "\(path).required") }
            for v in list {
                guard case .string(let name) = v else { throw GrammarError.invalidSchema("required lists names", path: "\(path).required") }
                guard props.contains(where: { $0.key == name }) else {
                    throw GrammarError.unsupportedSchema(keyword: "required", path: "\(path).required",
                                                         reason: "'\(name)' is required but not in properties (additional properties are not produced)")
                }
                required.insert(name)
            }
        }
        let additional = schema["additionalProperties"]
        if props.isEmpty {
            switch additional {
            case nil, .bool(true)?: return "object"
            case .bool(false)?: return "\"{\" ws \"}\""
            case let extra?:
                let v = try visit(extra, path: "\(path).additionalProperties")
                let kv = rule(path + "-entry", "string ws \":\" ws \(v) ws")
                return "\"{\" ws ( \(kv) ( \",\" ws \(kv) )* )? \"}\""
            }
        }
        if let additional, additional != .bool(false) {
            throw GrammarError.unsupportedSchema(keyword: "additionalProperties", path: "\(path).additionalProperties",
                                                 reason: "only false is enforced alongside properties (absent means false here)")
        }
        var kvs: [String] = []
        for p in props {
            let v = try visit(p.value, path: "\(path).properties.\(p.key)")
            kvs.append(rule("\(path)-\(p.key)-kv", "\(GBNF.literal(JSONValue.quote(p.key))) ws \":\" ws \(v) ws"))
        }
        // tail(i): the properties from i on, after at least one was written.
        var tail = "\"\""
        var tails = Array(repeating: "\"\"", count: props.count + 1)
        for i in stride(from: props.count - 1, through: 0, by: -1) {
            let item = "\",\" ws \(kvs[i])"
            tail = rule("\(path)-tail-\(i)", (required.contains(props[i].key) ? item : "( \(item) )?") + " " + tail)
            tails[i] = tail
        }
        var heads: [String] = []
        for i in props.indices {
            heads.append("\(kvs[i]) \(tails[i + 1])")
            if required.contains(props[i].key) { break }
        }
        let body = "( " + heads.joined(separator: " | ") + " )" + (required.isEmpty ? "?" : "")
        return rule(path + "-object", "\"{\" ws \(body) \"}\"")
    }

    private mutating func array(_ schema: JSONValue, path: String) throws(GrammarError) -> String {
        let item = try schema["items"].map { (s) throws(GrammarError) in try visit(s, path: "\(path).items") } ?? "value"
        let (lo, hi) = try bounds(schema, path: path)
        if hi == 0 { return "\"[\" ws \"]\"" }
        let more = "( \",\" ws \(item) ws ){\(max(lo - 1, 0)),\(hi.map { String($0 - 1) } ?? "")}"
        let body = lo == 0 ? "( \(item) ws \(more) )?" : "\(item) ws \(more)"
        return rule(path + "-array", "\"[\" ws \(body) \"]\"")
    }
}
