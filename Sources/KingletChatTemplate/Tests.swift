/// jinja2's builtin tests (`x is defined`, `x is string`, ...).
enum Tests {
    static let names: Set<String> = [
        "boolean", "callable", "defined", "divisibleby", "eq", "equalto", "==", "escaped", "even", "false",
        "float", "ge", ">=", "gt", "greaterthan", ">", "in", "integer", "iterable", "le", "<=", "lower", "lt",
        "lessthan", "<", "mapping", "ne", "!=", "none", "number", "odd", "sameas", "sequence", "string",
        "true", "undefined", "upper",
    ]

    static func isKnown(_ name: String) -> Bool { names.contains(name) }
}

extension Renderer {
    func applyTest(_ name: String, _ input: Value, _ positional: [Value], _ keyword: [(String, Value)],
                   at location: SourceLocation) throws(TemplateError) -> Bool {
        if name == "escaped", case .markup = input { return true }
        let value = input.plain
        func argument() throws(TemplateError) -> Value {
            let args = try ArgumentBinding(name, names: ["other"], positional, keyword, at: location)
            guard let other = args["other"] else { throw .type("test '\(name)' needs an argument", at: location) }
            return other
        }
        switch name {
        case "defined": return !value.isUndefined
        case "undefined": return value.isUndefined
        case "none": return value.isNone
        case "boolean": if case .bool = value { return true } else { return false }
        case "true": if case .bool(true) = value { return true } else { return false }
        case "false": if case .bool(false) = value { return true } else { return false }
        case "integer": if case .int = value { return true } else { return false }
        case "float": if case .float = value { return true } else { return false }
        case "number": return value.number != nil
        case "string": if case .string = value { return true } else { return false }
        case "mapping": return value.isDict
        case "callable":
            switch value {
            case .callable, .undefined: return true  // Undefined defines __call__ (which raises)
            default: return false
            }
        case "iterable":
            switch value {
            case .list, .tuple, .dict, .string, .iterator, .loop, .undefined: return true
            default: return false
            }
        case "sequence":
            // Undefined counts: it has a length (0) and a __getitem__ (that raises).
            switch value {
            case .list, .tuple, .dict, .string, .undefined: return true
            default: return false
            }
        case "escaped": return false
        case "lower":
            let s = try string(value, at: location)
            return s.lowercased() == s && s.contains { $0.isCased }
        case "upper":
            let s = try string(value, at: location)
            return s.uppercased() == s && s.contains { $0.isCased }
        case "odd", "even", "divisibleby":
            guard case .int(let n)? = value.number else {
                if case .undefined(let why) = value { throw .undefined(why, at: location) }
                throw .type("test '\(name)' needs an integer, not \(value.typeName)", at: location)
            }
            if name == "odd" { return n % 2 != 0 }
            if name == "even" { return n % 2 == 0 }
            let d = try argument().intArgument("divisibleby", at: location)
            guard d != 0 else { throw .type("integer division or modulo by zero", at: location) }
            return d == -1 || n % d == 0  // Int.min % -1 would trap

        case "eq", "equalto", "==": return try compare(.eq, value, try argument(), at: location)
        case "ne", "!=": return try compare(.ne, value, try argument(), at: location)
        case "lt", "lessthan", "<": return try compare(.lt, value, try argument(), at: location)
        case "le", "<=": return try compare(.le, value, try argument(), at: location)
        case "gt", "greaterthan", ">": return try compare(.gt, value, try argument(), at: location)
        case "ge", ">=": return try compare(.ge, value, try argument(), at: location)
        case "in": return try contains(try argument(), value, at: location)
        case "sameas":
            let other = try argument()
            switch (value, other) {
            case (.none, .none), (.undefined, .undefined): return true
            case (.bool(let a), .bool(let b)): return a == b
            case (.namespace(let a), .namespace(let b)): return a === b
            case (.int(let a), .int(let b)): return a == b && (-5...256).contains(a)  // CPython small-int cache
            default: return false
            }
        default:
            throw .unsupported(construct: "test '\(name)'", at: location)
        }
    }
}

extension Character {
    var isCased: Bool { isUppercase || isLowercase }
}
