/// Parses llama.cpp's GBNF: `name ::= alternatives` rules, one per line (a newline continues the
/// rule after `|` or inside parentheses), `# comments`, string literals, character classes,
/// `.`, groups, and the repetition operators `* + ? {m} {m,} {m,n}`.
struct GBNFParser {
    private let text: [Unicode.Scalar]
    private var pos = 0
    /// Nesting limit for parentheses, so hostile input cannot exhaust the call stack.
    static let maxNesting = 256
    private var depth = 0

    init(_ source: String) {
        text = Array(source.unicodeScalars)
    }

    /// The rules in source order.
    static func parse(_ source: String) throws(GrammarError) -> [GBNFRule] {
        var p = GBNFParser(source)
        return try p.parseGrammar()
    }

    // MARK: - Positions

    private func location(_ index: Int) -> SourceLocation {
        var line = 1, column = 1
        for i in 0 ..< min(index, text.count) {
            if text[i] == "\n" { line += 1; column = 1 } else { column += 1 }
        }
        return SourceLocation(line: line, column: column)
    }

    private func fail(_ what: String, _ at: Int? = nil) -> GrammarError {
        .syntax(what, at: location(at ?? pos))
    }

    private var current: Unicode.Scalar? { pos < text.count ? text[pos] : nil }

    private func peek(_ offset: Int) -> Unicode.Scalar? {
        pos + offset < text.count ? text[pos + offset] : nil
    }

    // MARK: - Layout

    /// Skips blanks and comments; newlines too when `newlines` is true.
    private mutating func skipSpace(newlines: Bool) {
        while let c = current {
            if c == " " || c == "\t" || (newlines && (c == "\n" || c == "\r")) {
                pos += 1
            } else if c == "#" {
                while let d = current, d != "\n" && d != "\r" { pos += 1 }
            } else {
                return
            }
        }
    }

    private static func isNameChar(_ c: Unicode.Scalar) -> Bool {
        ("a" ... "z").contains(c) || ("A" ... "Z").contains(c) || ("0" ... "9").contains(c) || c == "-" || c == "_"
    }

    private mutating func parseName() throws(GrammarError) -> String {
        let start = pos
        while let c = current, Self.isNameChar(c) { pos += 1 }
        guard pos > start else { throw fail("expected a rule name") }
        return String(String.UnicodeScalarView(text[start ..< pos]))
    }

    // MARK: - Grammar

    private mutating func parseGrammar() throws(GrammarError) -> [GBNFRule] {
        var rules: [GBNFRule] = []
        skipSpace(newlines: true)
        while current != nil {
            let start = pos
            let name = try parseName()
            skipSpace(newlines: false)
            guard current == ":", peek(1) == ":", peek(2) == "=" else { throw fail("expected '::=' after rule name '\(name)'") }
            pos += 3
            skipSpace(newlines: true)
            let body = try parseAlternatives(nested: false)
            guard current == nil || current == "\n" || current == "\r" else {
                throw fail("unexpected '\(current.map { String($0) } ?? "")' in rule '\(name)'")
            }
            rules.append(GBNFRule(name: name, location: location(start), body: body))
            skipSpace(newlines: true)
        }
        return rules
    }

    private mutating func parseAlternatives(nested: Bool) throws(GrammarError) -> GBNFNode {
        var alternatives = [try parseSequence(nested: nested)]
        while current == "|" {
            pos += 1
            skipSpace(newlines: true)
            alternatives.append(try parseSequence(nested: nested))
        }
        return alternatives.count == 1 ? alternatives[0] : .choice(alternatives)
    }

    private mutating func parseSequence(nested: Bool) throws(GrammarError) -> GBNFNode {
        var items: [GBNFNode] = []
        while let c = current {
            let start = pos
            switch c {
            case "\"":
                pos += 1
                items.append(.literal(try parseLiteral()))
            case "[":
                pos += 1
                items.append(try parseClass(start: start))
            case "(":
                pos += 1
                depth += 1
                guard depth <= Self.maxNesting else { throw fail("parentheses nested deeper than \(Self.maxNesting)") }
                skipSpace(newlines: true)
                let inner = try parseAlternatives(nested: true)
                guard current == ")" else { throw fail("expected ')' to close the group opened at \(location(start))") }
                pos += 1
                depth -= 1
                items.append(inner)
            case ".":
                pos += 1
                items.append(.any)
            case "*", "+", "?", "{":
                guard let last = items.popLast() else { throw fail("'\(c)' must follow an item to repeat") }
                items.append(try parseRepetition(of: last))
            case "<", "!":
                throw GrammarError.unsupported("token references (<[id]>, <text>, !<...>)", at: location(pos))
            default:
                guard Self.isNameChar(c) else { return .sequence(items) }
                let name = try parseName()
                items.append(.ruleRef(name, at: location(start)))
            }
            skipSpace(newlines: nested)
        }
        return .sequence(items)
    }

    private mutating func parseRepetition(of item: GBNFNode) throws(GrammarError) -> GBNFNode {
        let c = current
        pos += 1
        switch c {
        case "*": return .repetition(item, min: 0, max: nil)
        case "+": return .repetition(item, min: 1, max: nil)
        case "?": return .repetition(item, min: 0, max: 1)
        default: break
        }
        skipSpace(newlines: false)
        let low = try parseInt()
        skipSpace(newlines: false)
        var high: Int? = low
        if current == "," {
            pos += 1
            skipSpace(newlines: false)
            high = current == "}" ? nil : try parseInt()
            skipSpace(newlines: false)
        }
        guard current == "}" else { throw fail("expected '}' to end the repetition bounds") }
        pos += 1
        if let high, high < low { throw fail("repetition {\(low),\(high)}: the maximum is below the minimum") }
        return .repetition(item, min: low, max: high)
    }

    private mutating func parseInt() throws(GrammarError) -> Int {
        var value = 0, digits = 0
        while let c = current, ("0" ... "9").contains(c) {
            value = value * 10 + Int(c.value - 48)
            digits += 1
            pos += 1
            guard value <= 1_000_000 else { throw fail("repetition count above 1000000") }
        }
        guard digits > 0 else { throw fail("expected a number") }
        return value
    }

    // MARK: - Terminals

    private mutating func parseLiteral() throws(GrammarError) -> [UInt32] {
        var out: [UInt32] = []
        while true {
            guard let c = current else { throw fail("unterminated string literal") }
            if c == "\"" { pos += 1; return out }
            if c == "\n" || c == "\r" { throw fail("newline in a string literal") }
            let at = pos
            let scalar = try parseChar()
            guard !(0xD800 ... 0xDFFF).contains(scalar) else { throw fail("a surrogate code point has no UTF-8 encoding", at) }
            out.append(scalar)
        }
    }

    private mutating func parseClass(start: Int) throws(GrammarError) -> GBNFNode {
        var set = CodePointSet()
        let negated = current == "^"
        if negated { pos += 1 }
        while true {
            guard let c = current else { throw fail("unterminated character class", start) }
            if c == "]" { pos += 1; break }
            let low = try parseChar()
            var high = low
            if current == "-", let next = peek(1), next != "]" {
                pos += 1
                high = try parseChar()
                guard high >= low else { throw fail("character range ends below its start") }
            }
            set.insert(low ... high)
        }
        let matched = negated ? set.inverted : set
        guard !matched.isEmpty else { throw GrammarError.emptyCharacterClass(at: location(start)) }
        return .charClass(matched, at: location(start))
    }

    /// One character of a literal or class, with escapes.
    private mutating func parseChar() throws(GrammarError) -> UInt32 {
        guard let c = current else { throw fail("unexpected end of input") }
        pos += 1
        guard c == "\\" else { return c.value }
        guard let e = current else { throw fail("unfinished escape") }
        pos += 1
        switch e {
        case "x": return try parseHex(2)
        case "u": return try parseHex(4)
        case "U": return try parseHex(8)
        case "t": return 9
        case "n": return 10
        case "r": return 13
        case "\\", "\"", "[", "]", "-", "^", "/": return e.value
        default: throw fail("unknown escape '\\\(e)'", pos - 2)
        }
    }

    private mutating func parseHex(_ count: Int) throws(GrammarError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0 ..< count {
            guard let c = current, let d = HexDigit.value(c.value) else { throw fail("expected \(count) hex digits") }
            value = value << 4 | d
            pos += 1
        }
        guard value <= CodePointSet.maxScalar else { throw fail("code point above U+10FFFF") }
        return value
    }
}
