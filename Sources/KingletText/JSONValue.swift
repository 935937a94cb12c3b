/// A parsed JSON value that keeps object key order (schemas list properties in the order the
/// output should have them) and numbers' source text (so `const` values print as written).
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number: its text as written, and its value.
    case number(String, Double)
    case string(String)
    case array([JSONValue])
    /// Members in source order.
    case object([(key: String, value: JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(_, let x), .number(_, let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { m in y.contains { $0.key == m.key && $0.value == m.value } }
        default: return false
        }
    }

    /// The member named `key` of an object (the last, if repeated).
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.key == key }?.value
    }

    /// Compact JSON text (no spaces), strings escaped minimally.
    public var compactText: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let text, _): return text
        case .string(let s): return JSONValue.quote(s)
        case .array(let items): return "[" + items.map(\.compactText).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.map { JSONValue.quote($0.key) + ":" + $0.value.compactText }.joined(separator: ",") + "}"
        }
    }

    /// A JSON string literal for `s`; with `asciiOnly`, every character past U+007E is escaped too
    /// (as Python's `json.dumps(ensure_ascii=True)` writes it).
    public static func quote(_ s: String, asciiOnly: Bool = false) -> String {
        quoted(s, short: ["\u{08}": "\\b", "\u{0C}": "\\f"], escapeAlso: { asciiOnly && $0 > 0x7E }, hex: unicodeEscape)
    }

    /// `\uXXXX` in lowercase hex, as a surrogate pair above the Basic Multilingual Plane.
    public static func unicodeEscape(_ c: UInt32) -> String {
        func hex4(_ v: UInt32) -> String {
            let h = String(v, radix: 16)
            return "\\u" + String(repeating: "0", count: 4 - h.count) + h
        }
        guard c > 0xFFFF else { return hex4(c) }
        let v = c - 0x10000
        return hex4(0xD800 + (v >> 10)) + hex4(0xDC00 + (v & 0x3FF))
    }

    /// `s` in double quotes with `"`, `\`, newline, return and tab escaped by backslash, the
    /// control characters in `short` as given, and other control characters (and those `escapeAlso`
    /// picks) as `hex` writes them. Shared by JSON and GBNF literals.
    public static func quoted(_ s: String, short: [Unicode.Scalar: String], escapeAlso: (UInt32) -> Bool, hex: (UInt32) -> String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20, let e = short[u] { out += e }
                else if u.value < 0x20 || escapeAlso(u.value) { out += hex(u.value) }
                else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    /// The JSON Schema type name of the value (`integer` for numbers without a fraction).
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number(_, let v): return v == v.rounded() && abs(v) < 1e18 ? "integer" : "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}
