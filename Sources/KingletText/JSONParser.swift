/// A JSON document that is not valid JSON (RFC 8259): what was wrong and the byte where it was found.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was expected or found.
    public var message: String
    /// 0-based byte offset into the document.
    public var offset: Int

    public init(_ message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(message) at byte \(offset)" }
}

/// The one strict JSON parser (RFC 8259) of Kinglet: chat-template contexts, JSON Schemas, request
/// bodies. It keeps what Foundation's `JSONSerialization` loses — object key order and each
/// number's text (`1` versus `1.0`) — and refuses nesting deeper than ``maxDepth``.
public enum JSONParser {
    /// Deepest nesting accepted.
    public static let maxDepth = 256

    /// What a `\u` escape of half a surrogate pair, standing alone, becomes.
    public enum LoneSurrogates: Sendable {
        /// An error: the document does not describe Unicode text.
        case reject
        /// U+FFFD. Python's `json.loads` keeps such code points, which a Swift string cannot
        /// hold; this reads such documents as the nearest thing.
        case replace
    }

    /// Parses one JSON value from UTF-8 bytes (surrounding whitespace and a leading byte order mark allowed).
    public static func parse(bytes: [UInt8], loneSurrogates: LoneSurrogates = .reject) throws(JSONSyntaxError) -> JSONValue {
        var p = Cursor(bytes: bytes, loneSurrogates: loneSurrogates)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { p.i = 3 }
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        guard p.i == p.bytes.count else { throw p.fail("unexpected data after the JSON value") }
        return v
    }

    /// Parses one JSON value from text.
    public static func parse(_ text: String, loneSurrogates: LoneSurrogates = .reject) throws(JSONSyntaxError) -> JSONValue {
        try parse(bytes: Array(text.utf8), loneSurrogates: loneSurrogates)
    }

    private struct Cursor {
        let bytes: [UInt8]
        let loneSurrogates: LoneSurrogates
        var i = 0

        func fail(_ what: String) -> JSONSyntaxError { JSONSyntaxError(what, offset: i) }

        mutating func skipSpace() {
            while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
        }

        mutating func expect(_ s: String) throws(JSONSyntaxError) {
            for b in s.utf8 {
                guard i < bytes.count, bytes[i] == b else { throw fail("expected '\(s)'") }
                i += 1
            }
        }

        mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONValue {
            guard depth < JSONParser.maxDepth else { throw fail("JSON nests deeper than \(JSONParser.maxDepth) levels") }
            guard i < bytes.count else { throw fail("unexpected end of JSON") }
            switch bytes[i] {
            case UInt8(ascii: "{"):
                i += 1
                var members: [(key: String, value: JSONValue)] = []
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
                while true {
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
                    let key = try string()
                    skipSpace()
                    try expect(":")
                    skipSpace()
                    members.append((key, try value(depth: depth + 1)))
                    if try endOfList("}") { return .object(members) }
                }
            case UInt8(ascii: "["):
                i += 1
                var items: [JSONValue] = []
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                while true {
                    skipSpace()
                    items.append(try value(depth: depth + 1))
                    if try endOfList("]") { return .array(items) }
                }
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try expect("true"); return .bool(true)
            case UInt8(ascii: "f"): try expect("false"); return .bool(false)
            case UInt8(ascii: "n"): try expect("null"); return .null
            default: return try number()
            }
        }

        /// After an element: true at the closing bracket, false at a comma (both consumed).
        mutating func endOfList(_ close: Unicode.Scalar) throws(JSONSyntaxError) -> Bool {
            skipSpace()
            guard i < bytes.count else { throw fail(close == "}" ? "unterminated object" : "unterminated array") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; return false }
            guard bytes[i] == UInt8(close.value) else { throw fail("expected ',' or '\(close)'") }
            i += 1
            return true
        }

        mutating func number() throws(JSONSyntaxError) -> JSONValue {
            let start = i
            func digits(_ c: inout Cursor) -> Int {
                let s = c.i
                while c.i < c.bytes.count, (0x30 ... 0x39).contains(c.bytes[c.i]) { c.i += 1 }
                return c.i - s
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
            let intStart = i
            let n = digits(&self)
            guard n > 0 else { throw fail("invalid value") }
            guard !(n > 1 && bytes[intStart] == UInt8(ascii: "0")) else { throw fail("a number with a leading zero") }
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
                i += 1
                guard digits(&self) > 0 else { throw fail("expected digits after '.'") }
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
                i += 1
                if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
                guard digits(&self) > 0 else { throw fail("expected exponent digits") }
            }
            let text = String(decoding: bytes[start ..< i], as: UTF8.self)
            guard let v = Double(text) else { throw fail("invalid number \(text)") }
            return .number(text, v)
        }

        mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
            var v: UInt32 = 0
            for _ in 0 ..< 4 {
                guard i < bytes.count, let d = HexDigit.value(UInt32(bytes[i])) else { throw fail("invalid \\u escape") }
                v = v << 4 | d
                i += 1
            }
            return v
        }

        /// The code point of a `\u` escape (the `\u` consumed), joining a surrogate pair.
        mutating func escapedScalar() throws(JSONSyntaxError) -> Unicode.Scalar {
            let code = try hex4()
            if (0xD800 ... 0xDBFF).contains(code), i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                let save = i
                i += 2
                let low = try hex4()
                if (0xDC00 ... 0xDFFF).contains(low) { return Unicode.Scalar(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00))! }
                i = save  // the next escape is read on its own
            }
            if let s = Unicode.Scalar(code) { return s }
            guard loneSurrogates == .replace else { throw fail("lone surrogate \\u\(String(code, radix: 16))") }
            return "\u{FFFD}"
        }

        mutating func string() throws(JSONSyntaxError) -> String {
            i += 1
            var raw: [UInt8] = []
            while true {
                guard i < bytes.count else { throw fail("unterminated string") }
                let b = bytes[i]
                i += 1
                if b == UInt8(ascii: "\"") { break }
                guard b >= 0x20 else { throw fail("control character in string") }
                guard b == UInt8(ascii: "\\") else { raw.append(b); continue }
                guard i < bytes.count else { throw fail("unterminated escape") }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): raw.append(e)
                case UInt8(ascii: "b"): raw.append(0x08)
                case UInt8(ascii: "f"): raw.append(0x0C)
                case UInt8(ascii: "n"): raw.append(0x0A)
                case UInt8(ascii: "r"): raw.append(0x0D)
                case UInt8(ascii: "t"): raw.append(0x09)
                case UInt8(ascii: "u"): raw.append(contentsOf: Array(String(Character(try escapedScalar())).utf8))
                default: throw fail("invalid escape")
                }
            }
            guard let s = String(validating: raw, as: UTF8.self) else { throw fail("invalid UTF-8 in string") }
            return s
        }
    }
}
