/// A strict JSON parser (RFC 8259) into ``JSONValue``, with a nesting limit.
public enum JSONParser {
    /// Deepest nesting accepted.
    public static let maxDepth = 256

    /// Parses one JSON value (surrounding whitespace allowed).
    ///
    /// - Throws: ``GrammarError/invalidSchema(_:path:)`` with the byte offset in the message.
    public static func parse(_ text: String) throws(GrammarError) -> JSONValue {
        var p = Cursor(bytes: Array(text.utf8))
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        guard p.i == p.bytes.count else { throw p.fail("trailing characters") }
        return v
    }

    private struct Cursor {
        let bytes: [UInt8]
        var i = 0

        func fail(_ what: String) -> GrammarError { .invalidSchema("not JSON: \(what) at byte \(i)", path: "$") }

        mutating func skipSpace() {
            while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
        }

        mutating func expect(_ s: String) throws(GrammarError) {
            for b in s.utf8 {
                guard i < bytes.count, bytes[i] == b else { throw fail("expected '\(s)'") }
                i += 1
            }
        }

        mutating func value(depth: Int) throws(GrammarError) -> JSONValue {
            guard depth < JSONParser.maxDepth else { throw fail("nested deeper than \(JSONParser.maxDepth)") }
            guard i < bytes.count else { throw fail("unexpected end") }
            switch bytes[i] {
            case UInt8(ascii: "{"):
                i += 1
                var members: [(key: String, value: JSONValue)] = []
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
                while true {
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a key") }
                    let key = try string()
                    skipSpace()
                    try expect(":")
                    skipSpace()
                    members.append((key, try value(depth: depth + 1)))
                    skipSpace()
                    guard i < bytes.count else { throw fail("unterminated object") }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    try expect("}")
                    return .object(members)
                }
            case UInt8(ascii: "["):
                i += 1
                var items: [JSONValue] = []
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                while true {
                    skipSpace()
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    guard i < bytes.count else { throw fail("unterminated array") }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    try expect("]")
                    return .array(items)
                }
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try expect("true"); return .bool(true)
            case UInt8(ascii: "f"): try expect("false"); return .bool(false)
            case UInt8(ascii: "n"): try expect("null"); return .null
            default: return try number()
            }
        }

        mutating func number() throws(GrammarError) -> JSONValue {
            let start = i
            func digits(_ c: inout Cursor) -> Int {
                let s = c.i
                while c.i < c.bytes.count, (0x30 ... 0x39).contains(c.bytes[c.i]) { c.i += 1 }
                return c.i - s
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
            let intStart = i
            let n = digits(&self)
            guard n > 0, !(n > 1 && bytes[intStart] == UInt8(ascii: "0")) else { throw fail("bad number") }
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
                i += 1
                guard digits(&self) > 0 else { throw fail("bad fraction") }
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
                i += 1
                if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
                guard digits(&self) > 0 else { throw fail("bad exponent") }
            }
            let text = String(decoding: bytes[start ..< i], as: UTF8.self)
            guard let v = Double(text) else { throw fail("bad number") }
            return .number(text, v)
        }

        mutating func hex4() throws(GrammarError) -> UInt32 {
            var v: UInt32 = 0
            for _ in 0 ..< 4 {
                guard i < bytes.count, let d = GBNFParser.hexValue(Unicode.Scalar(bytes[i])) else { throw fail("bad \\u escape") }
                v = v << 4 | d
                i += 1
            }
            return v
        }

        mutating func string() throws(GrammarError) -> String {
            i += 1
            var out = String.UnicodeScalarView()
            var raw: [UInt8] = []
            func flush(_ raw: inout [UInt8], _ out: inout String.UnicodeScalarView) {
                out.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars)
                raw.removeAll()
            }
            while true {
                guard i < bytes.count else { throw fail("unterminated string") }
                let b = bytes[i]
                i += 1
                if b == UInt8(ascii: "\"") { flush(&raw, &out); return String(out) }
                guard b >= 0x20 else { throw fail("control character in string") }
                guard b == UInt8(ascii: "\\") else { raw.append(b); continue }
                flush(&raw, &out)
                guard i < bytes.count else { throw fail("unterminated escape") }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(Unicode.Scalar(e))
                case UInt8(ascii: "b"): out.append("\u{08}")
                case UInt8(ascii: "f"): out.append("\u{0C}")
                case UInt8(ascii: "n"): out.append("\n")
                case UInt8(ascii: "r"): out.append("\r")
                case UInt8(ascii: "t"): out.append("\t")
                case UInt8(ascii: "u"):
                    var c = try hex4()
                    if (0xD800 ... 0xDBFF).contains(c), i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                        i += 2
                        let low = try hex4()
                        guard (0xDC00 ... 0xDFFF).contains(low) else { throw fail("bad surrogate pair") }
                        c = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let s = Unicode.Scalar(c) else { throw fail("lone surrogate") }
                    out.append(s)
                default: throw fail("bad escape")
                }
            }
        }
    }
}
