/// Reads one token inside a tag: float, integer, name, string or operator, tried in jinja2's order.
struct TagScanner {
    let src: [Unicode.Scalar]
    var pos: Int

    private static let operators2: Set<String> = ["//", "**", "==", "!=", ">=", "<="]
    private static let operators1: Set<Unicode.Scalar> = [
        "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";",
    ]

    private func at(_ i: Int) -> Unicode.Scalar? { i < src.count ? src[i] : nil }

    mutating func next(location: SourceLocation) throws(TemplateError) -> Token.Kind? {
        if let f = scanFloat() { return .float(f) }
        if let i = try scanInteger(location: location) { return .integer(i) }
        if let n = scanName() { return .name(n) }
        if let s = try scanString(location: location) { return .string(s) }
        return scanOperator()
    }

    // MARK: numbers

    /// `(\d+_)*\d+`: digits possibly separated by single underscores; returns the end offset.
    private func digitRun(from i: Int) -> Int? {
        var j = i
        guard let c = at(j), c.isASCIIDigit else { return nil }
        while true {
            while let c = at(j), c.isASCIIDigit { j += 1 }
            if at(j) == "_", let d = at(j + 1), d.isASCIIDigit { j += 1; continue }
            return j
        }
    }

    private func exponentEnd(from i: Int) -> Int? {
        guard let e = at(i), e == "e" || e == "E" else { return nil }
        var j = i + 1
        if at(j) == "+" || at(j) == "-" { j += 1 }
        return digitRun(from: j)
    }

    private mutating func scanFloat() -> Double? {
        if pos > 0 && src[pos - 1] == "." { return nil }
        guard let intEnd = digitRun(from: pos) else { return nil }
        var end: Int?
        if at(intEnd) == ".", let fracEnd = digitRun(from: intEnd + 1) {
            end = exponentEnd(from: fracEnd) ?? fracEnd
        } else if let expEnd = exponentEnd(from: intEnd) {
            end = expEnd
        }
        guard let end else { return nil }
        let text = String(String.UnicodeScalarView(src[pos..<end].filter { $0 != "_" }))
        guard let value = Double(text) else { return nil }
        pos = end
        return value
    }

    private mutating func scanInteger(location: SourceLocation) throws(TemplateError) -> Int? {
        guard let c = at(pos), c.isASCIIDigit else { return nil }
        var radix = 10
        var j = pos
        if c == "0", let p = at(pos + 1) {
            switch p {
            case "b", "B": radix = 2
            case "o", "O": radix = 8
            case "x", "X": radix = 16
            default: break
            }
        }
        var digits = ""
        if radix != 10 {
            j = pos + 2
            while true {
                var k = j
                if at(k) == "_" { k += 1 }
                guard let d = at(k), Int(String(Character(d)), radix: radix) != nil else { break }
                digits.unicodeScalars.append(d)
                j = k + 1
            }
            if digits.isEmpty { radix = 10; j = pos }  // "0x" alone: just the zero
        }
        if radix == 10 {
            if c == "0" {
                // 0(_?0)*
                j = pos + 1
                digits = "0"
                while true {
                    var k = j
                    if at(k) == "_" { k += 1 }
                    guard at(k) == "0" else { break }
                    j = k + 1
                }
            } else {
                j = pos
                while true {
                    var k = j
                    if k > pos && at(k) == "_" { k += 1 }
                    guard let d = at(k), d.isASCIIDigit else { break }
                    digits.unicodeScalars.append(d)
                    j = k + 1
                }
            }
        }
        guard let value = Int(digits, radix: radix) else {
            throw .limitExceeded("integer literal \(digits) does not fit in 64 bits", at: location)
        }
        pos = j
        return value
    }

    // MARK: names, strings, operators

    private mutating func scanName() -> String? {
        guard let c = at(pos), c == "_" || c.isASCIILetter || (!c.isASCII && c.properties.isAlphabetic) else { return nil }
        var j = pos + 1
        while let d = at(j), d == "_" || d.isASCIILetter || d.isASCIIDigit
                || (!d.isASCII && (d.properties.isAlphabetic || d.properties.numericType == .decimal)) {
            j += 1
        }
        defer { pos = j }
        return String(String.UnicodeScalarView(src[pos..<j]))
    }

    private mutating func scanString(location: SourceLocation) throws(TemplateError) -> String? {
        guard let quote = at(pos), quote == "'" || quote == "\"" else { return nil }
        var j = pos + 1
        while let c = at(j), c != quote {
            j += c == "\\" ? 2 : 1
        }
        guard j < src.count else { return nil }  // unterminated: jinja2 reports an unexpected char
        let body = Array(src[(pos + 1)..<j])
        pos = j + 1
        return try StringEscapes.decode(body, location: location)
    }

    private mutating func scanOperator() -> Token.Kind? {
        if let a = at(pos), let b = at(pos + 1) {
            let two = String(Character(a)) + String(Character(b))
            if TagScanner.operators2.contains(two) {
                pos += 2
                return .op(two)
            }
        }
        guard let c = at(pos), TagScanner.operators1.contains(c) else { return nil }
        pos += 1
        return .op(String(Character(c)))
    }
}

extension Unicode.Scalar {
    var isASCIIDigit: Bool { value >= 0x30 && value <= 0x39 }
    /// `A-Z a-z`, decided without a Unicode property lookup (most names are ASCII).
    var isASCIILetter: Bool { (value | 0x20) >= 0x61 && (value | 0x20) <= 0x7A }
}

/// Python's `unicode-escape` decoding, which jinja2 applies to string literals.
enum StringEscapes {
    static func decode(_ body: [Unicode.Scalar], location: SourceLocation) throws(TemplateError) -> String {
        var out = String.UnicodeScalarView()
        var i = 0
        func hex(_ count: Int, _ kind: String) throws(TemplateError) -> Unicode.Scalar {
            guard i + count < body.count + 1, i + count <= body.count else {
                throw .syntax("truncated \\\(kind) escape in string literal", at: location)
            }
            let text = String(String.UnicodeScalarView(body[i..<(i + count)]))
            guard text.unicodeScalars.allSatisfy({ $0.properties.isASCIIHexDigit }),
                  let v = UInt32(text, radix: 16) else {
                throw .syntax("truncated \\\(kind) escape in string literal", at: location)
            }
            guard let scalar = Unicode.Scalar(v) else {
                throw .syntax("illegal Unicode character in string literal", at: location)
            }
            i += count
            return scalar
        }
        while i < body.count {
            let c = body[i]
            guard c == "\\", i + 1 < body.count else {
                out.append(c)
                i += 1
                continue
            }
            let e = body[i + 1]
            i += 2
            switch e {
            case "\n": break
            case "\\": out.append("\\")
            case "'": out.append("'")
            case "\"": out.append("\"")
            case "a": out.append("\u{07}")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "n": out.append("\n")
            case "r": out.append("\r")
            case "t": out.append("\t")
            case "v": out.append("\u{0B}")
            case "x": out.append(try hex(2, "xXX"))
            case "u": out.append(try hex(4, "uXXXX"))
            case "U": out.append(try hex(8, "UXXXXXXXX"))
            case "0"..."7":
                var v = e.value - 0x30
                var n = 1
                while n < 3, i < body.count, body[i].value >= 0x30, body[i].value <= 0x37 {
                    v = v * 8 + body[i].value - 0x30
                    i += 1
                    n += 1
                }
                out.append(Unicode.Scalar(v)!)
            case "N":
                throw .unsupported(construct: "'\\N{...}' escape in a string literal", at: location)
            default:
                out.append("\\")
                out.append(e)
            }
        }
        return String(out)
    }
}
