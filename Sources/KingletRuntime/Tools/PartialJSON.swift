import KingletText

/// A JSON value read from text that may still be arriving: a model's output, token by token.
/// Each node knows where it lies in the text (byte offsets into its UTF-8) and whether it is
/// complete, so a stream can pass on a string's characters, or a value's raw text, as they come.
///
/// ```swift
/// let v = PartialJSON.parse(#"{"name": "get_weather", "arguments": {"city": "Par"#)
/// v?.value["name"]?.string          // "get_weather" (complete)
/// v?.value["arguments"]?.complete   // false: its raw text so far is `{"city": "Par`
/// ```
public struct PartialJSON: Sendable, Equatable {
    /// What a node holds as far as it has arrived. An object lists only members whose key is
    /// complete and whose value has begun; a string holds the characters decoded so far (an escape
    /// sequence cut off at the end is left out until it is whole).
    public indirect enum Value: Sendable, Equatable {
        case object([(key: String, value: PartialJSON)])
        case array([PartialJSON])
        case string(String)
        /// A number, `true`, `false` or `null`: its text is `start ..< end` of the input.
        case scalar

        public static func == (a: Value, b: Value) -> Bool {
            switch (a, b) {
            case (.object(let x), .object(let y)):
                return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
            case (.array(let x), .array(let y)): return x == y
            case (.string(let x), .string(let y)): return x == y
            case (.scalar, .scalar): return true
            default: return false
            }
        }

        /// The member named `key` (the last, if repeated).
        public subscript(key: String) -> PartialJSON? {
            guard case .object(let members) = self else { return nil }
            return members.last { $0.key == key }?.value
        }
    }

    public var value: Value
    /// Byte offsets of the node's text in the input (`end` is where the input stopped when the
    /// node is incomplete).
    public var start: Int
    public var end: Int
    /// Whether the node's closing character (or a scalar's end) has arrived.
    public var complete: Bool

    /// The decoded text of a string node.
    public var string: String? {
        if case .string(let s) = value { return s }
        return nil
    }

    /// Nesting deeper than this is refused (as `KingletGrammar`'s `JSONParser` refuses it).
    public static let maxDepth = 256

    /// The value at the start of `text` (after whitespace), as far as it goes; nil when no value
    /// has begun or the text is not a prefix of JSON. Offsets count from the start of `text`.
    public static func parse(_ text: Substring.UTF8View) -> PartialJSON? {
        var reader = Reader(bytes: Array(text))
        reader.skipSpace()
        return try? reader.value(depth: 0)
    }

    /// `parse` on a whole string.
    public static func parse(_ text: String) -> PartialJSON? { parse(Substring(text).utf8) }
}

/// A recursive reader that stops, without failing, where the input ends.
private struct Reader {
    let bytes: [UInt8]
    var i = 0

    struct Malformed: Error {}

    mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    var atEnd: Bool { i >= bytes.count }

    /// A value starting at `i` (whitespace already skipped); nil at the end of the input.
    mutating func value(depth: Int) throws(Malformed) -> PartialJSON? {
        guard !atEnd else { return nil }
        guard depth < PartialJSON.maxDepth else { throw Malformed() }
        let start = i
        switch bytes[i] {
        case UInt8(ascii: "{"): return try object(start: start, depth: depth)
        case UInt8(ascii: "["): return try array(start: start, depth: depth)
        case UInt8(ascii: "\""):
            let (s, complete) = try string()
            return PartialJSON(value: .string(s), start: start, end: i, complete: complete)
        default:
            return try scalar(start: start)
        }
    }

    private mutating func object(start: Int, depth: Int) throws(Malformed) -> PartialJSON {
        i += 1
        var members: [(key: String, value: PartialJSON)] = []
        func partial() -> PartialJSON { PartialJSON(value: .object(members), start: start, end: i, complete: false) }
        skipSpace()
        if atEnd { return partial() }
        if bytes[i] == UInt8(ascii: "}") {
            i += 1
            return PartialJSON(value: .object([]), start: start, end: i, complete: true)
        }
        while true {
            skipSpace()
            if atEnd { return partial() }
            guard bytes[i] == UInt8(ascii: "\"") else { throw Malformed() }
            let (key, keyDone) = try string()
            guard keyDone else { return partial() }
            skipSpace()
            if atEnd { return partial() }
            guard bytes[i] == UInt8(ascii: ":") else { throw Malformed() }
            i += 1
            skipSpace()
            guard let v = try value(depth: depth + 1) else { return partial() }
            members.append((key, v))
            guard v.complete else { return partial() }
            skipSpace()
            if atEnd { return partial() }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            guard bytes[i] == UInt8(ascii: "}") else { throw Malformed() }
            i += 1
            return PartialJSON(value: .object(members), start: start, end: i, complete: true)
        }
    }

    private mutating func array(start: Int, depth: Int) throws(Malformed) -> PartialJSON {
        i += 1
        var items: [PartialJSON] = []
        func partial() -> PartialJSON { PartialJSON(value: .array(items), start: start, end: i, complete: false) }
        skipSpace()
        if atEnd { return partial() }
        if bytes[i] == UInt8(ascii: "]") {
            i += 1
            return PartialJSON(value: .array([]), start: start, end: i, complete: true)
        }
        while true {
            skipSpace()
            guard let v = try value(depth: depth + 1) else { return partial() }
            items.append(v)
            guard v.complete else { return partial() }
            skipSpace()
            if atEnd { return partial() }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            guard bytes[i] == UInt8(ascii: "]") else { throw Malformed() }
            i += 1
            return PartialJSON(value: .array(items), start: start, end: i, complete: true)
        }
    }

    /// A string at `i` (on its quote): the characters decoded so far and whether it closed.
    private mutating func string() throws(Malformed) -> (String, Bool) {
        i += 1
        var out: [UInt8] = []
        var pendingHigh: UInt32?  // a high surrogate waiting for its low half
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                guard pendingHigh == nil else { throw Malformed() }
                i += 1
                return (String(decoding: out, as: UTF8.self), true)
            }
            if c < 0x20 { throw Malformed() }
            if c != UInt8(ascii: "\\") {
                guard pendingHigh == nil else { throw Malformed() }
                out.append(c)
                i += 1
                continue
            }
            guard i + 1 < bytes.count else { break }
            let e = bytes[i + 1]
            let simple: UInt8?
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): simple = e
            case UInt8(ascii: "b"): simple = 0x08
            case UInt8(ascii: "f"): simple = 0x0C
            case UInt8(ascii: "n"): simple = 0x0A
            case UInt8(ascii: "r"): simple = 0x0D
            case UInt8(ascii: "t"): simple = 0x09
            case UInt8(ascii: "u"): simple = nil
            default: throw Malformed()
            }
            if let simple {
                guard pendingHigh == nil else { throw Malformed() }
                out.append(simple)
                i += 2
                continue
            }
            guard i + 6 <= bytes.count else { break }
            var code: UInt32 = 0
            for k in 2 ..< 6 {
                guard let d = HexDigit.value(UInt32(bytes[i + k])) else { throw Malformed() }
                code = code << 4 | d
            }
            i += 6
            if let high = pendingHigh {
                guard (0xDC00 ... 0xDFFF).contains(code) else { throw Malformed() }
                pendingHigh = nil
                append(0x10000 + ((high - 0xD800) << 10) + (code - 0xDC00), to: &out)
            } else if (0xD800 ... 0xDBFF).contains(code) {
                pendingHigh = code
            } else if (0xDC00 ... 0xDFFF).contains(code) {
                throw Malformed()
            } else {
                append(code, to: &out)
            }
        }
        // Cut off: an incomplete escape (or a high surrogate without its low half) is not text yet.
        return (String(decoding: out, as: UTF8.self), false)
    }

    private func append(_ scalar: UInt32, to out: inout [UInt8]) {
        guard let u = Unicode.Scalar(scalar) else { return }
        out.append(contentsOf: Array(String(Character(u)).utf8))
    }

    /// A number or literal: complete once a character that cannot continue it follows.
    private mutating func scalar(start: Int) throws(Malformed) -> PartialJSON {
        let first = bytes[i]
        let isNumber = first == UInt8(ascii: "-") || (UInt8(ascii: "0") ... UInt8(ascii: "9")).contains(first)
        if isNumber {
            while i < bytes.count, "0123456789+-.eE".utf8.contains(bytes[i]) { i += 1 }
        } else {
            let literal: [UInt8]
            switch first {
            case UInt8(ascii: "t"): literal = Array("true".utf8)
            case UInt8(ascii: "f"): literal = Array("false".utf8)
            case UInt8(ascii: "n"): literal = Array("null".utf8)
            default: throw Malformed()
            }
            var k = 0
            while k < literal.count, i < bytes.count {
                guard bytes[i] == literal[k] else { throw Malformed() }
                i += 1
                k += 1
            }
            return PartialJSON(value: .scalar, start: start, end: i, complete: k == literal.count)
        }
        return PartialJSON(value: .scalar, start: start, end: i, complete: i < bytes.count)
    }
}
