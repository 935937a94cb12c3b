/// Translates a JSON Schema `pattern` (a regular-expression subset) into GBNF over the *JSON text*
/// of a string: each regex character becomes the ways it is written inside a JSON string literal.
///
/// Supported: literals, `.`, classes `[...]`/`[^...]` with ranges, `\d \w \s` (ASCII), escapes
/// `\n \t \r \f \v \xHH \uHHHH` and escaped punctuation, groups `(...)` `(?:...)` `(?<name>...)`,
/// `|`, quantifiers `* + ? {m} {m,} {m,n}` (lazy forms match the same strings), `^` at the start
/// and `$` at the end. An unanchored side may have any characters (JSON Schema patterns search).
/// Anything else (backreferences, lookaround, `\b`, `\D \W \S`, flags, anchors elsewhere) is refused.
struct RegexTranslator {
    private indirect enum Node {
        case set(CodePointSet)
        case sequence([Node])
        case choice([Node])
        case repetition(Node, min: Int, max: Int?)
    }

    private let scalars: [Unicode.Scalar]
    private var i = 0
    private let path: String
    /// Makes (or reuses) a rule for one regex character class and returns its name.
    private let charRule: (CodePointSet) -> String

    /// A GBNF expression for the JSON string contents matching `pattern` (no quotes around).
    static func translate(_ pattern: String, path: String, anyChar: String, charRule: @escaping (CodePointSet) -> String) throws(GrammarError) -> String {
        var body = Array(pattern.unicodeScalars)
        let anchoredStart = body.first == "^"
        if anchoredStart { body.removeFirst() }
        var anchoredEnd = false
        if body.last == "$" {
            var backslashes = 0
            var k = body.count - 2
            while k >= 0 && body[k] == "\\" { backslashes += 1; k -= 1 }
            if backslashes % 2 == 0 { anchoredEnd = true; body.removeLast() }
        }
        var t = RegexTranslator(scalars: body, path: path, charRule: charRule)
        let node = try t.parseChoice(depth: 0)
        guard t.i == body.count else { throw t.refuse("unbalanced ')'") }
        var parts: [String] = []
        if !anchoredStart { parts.append(anyChar + "*") }
        parts.append(t.emit(node))
        if !anchoredEnd { parts.append(anyChar + "*") }
        return "(" + parts.joined(separator: " ") + ")"
    }

    private init(scalars: [Unicode.Scalar], path: String, charRule: @escaping (CodePointSet) -> String) {
        self.scalars = scalars
        self.path = path
        self.charRule = charRule
    }

    private func refuse(_ why: String) -> GrammarError {
        .unsupportedSchema(keyword: "pattern", path: path, reason: "\(why) (at character \(i + 1) of the pattern)")
    }

    private var current: Unicode.Scalar? { i < scalars.count ? scalars[i] : nil }

    // MARK: - Parsing

    private mutating func parseChoice(depth: Int) throws(GrammarError) -> Node {
        guard depth < 64 else { throw refuse("groups nested too deeply") }
        var alts = [try parseSequence(depth: depth)]
        while current == "|" {
            i += 1
            alts.append(try parseSequence(depth: depth))
        }
        return alts.count == 1 ? alts[0] : .choice(alts)
    }

    private mutating func parseSequence(depth: Int) throws(GrammarError) -> Node {
        var items: [Node] = []
        while let c = current, c != "|", c != ")" {
            var atom = try parseAtom(depth: depth)
            while let q = current, "*+?{".unicodeScalars.contains(q) {
                if q == "{", !isBraceQuantifier() { break }
                let (lo, hi) = try parseQuantifier()
                atom = .repetition(atom, min: lo, max: hi)
                if current == "?" { i += 1 }  // lazy: same set of strings
                else if current == "+" { throw refuse("possessive quantifiers are not supported") }
            }
            items.append(atom)
        }
        return .sequence(items)
    }

    private func isBraceQuantifier() -> Bool {
        var k = i + 1
        var sawDigit = false
        while k < scalars.count, ("0" ... "9").contains(scalars[k]) || scalars[k] == "," { sawDigit = sawDigit || scalars[k] != ","; k += 1 }
        return sawDigit && k < scalars.count && scalars[k] == "}"
    }

    private mutating func parseQuantifier() throws(GrammarError) -> (Int, Int?) {
        let q = scalars[i]
        i += 1
        switch q {
        case "*": return (0, nil)
        case "+": return (1, nil)
        case "?": return (0, 1)
        default: break
        }
        func number(_ t: inout RegexTranslator) -> Int? {
            var v = 0, n = 0
            while let c = t.current, ("0" ... "9").contains(c) { v = min(v * 10 + Int(c.value - 48), 100_000); n += 1; t.i += 1 }
            return n > 0 ? v : nil
        }
        guard let lo = number(&self) else { throw refuse("'{,n}' needs a minimum") }
        var hi: Int? = lo
        if current == "," { i += 1; hi = number(&self) }
        i += 1  // "}"
        if let hi, hi < lo { throw refuse("quantifier maximum below its minimum") }
        guard (hi ?? lo) <= 10_000 else { throw refuse("quantifier bound above 10000") }
        return (lo, hi)
    }

    private mutating func parseAtom(depth: Int) throws(GrammarError) -> Node {
        guard let c = current else { throw refuse("unexpected end") }
        i += 1
        switch c {
        case "(":
            if current == "?" {
                i += 1
                if current == ":" { i += 1 }
                else if current == "<", i + 1 < scalars.count, scalars[i + 1] != "=", scalars[i + 1] != "!" {
                    while let d = current, d != ">" { i += 1 }
                    i += 1
                } else if current == "P", i + 1 < scalars.count, scalars[i + 1] == "<" {
                    while let d = current, d != ">" { i += 1 }
                    i += 1
                } else { throw refuse("lookaround, flags and other (?...) groups are not supported") }
            }
            let inner = try parseChoice(depth: depth + 1)
            guard current == ")" else { throw refuse("missing ')'") }
            i += 1
            return inner
        case "[": return .set(try parseClass())
        case ".": return .set(CodePointSet.all.subtracting(CodePointSet([10 ... 10])))
        case "\\": return .set(try parseEscape(inClass: false))
        case "^", "$": throw refuse("anchors are supported only at the very start and end")
        case "*", "+", "?": throw refuse("'\(c)' has nothing to repeat")
        default: return .set(CodePointSet([c.value ... c.value]))
        }
    }

    private mutating func parseClass() throws(GrammarError) -> CodePointSet {
        var set = CodePointSet()
        let negated = current == "^"
        if negated { i += 1 }
        var first = true
        while true {
            guard let c = current else { throw refuse("unterminated '['") }
            if c == "]" && !first { i += 1; break }
            first = false
            i += 1
            var low: CodePointSet
            if c == "\\" { low = try parseEscape(inClass: true) } else { low = CodePointSet([c.value ... c.value]) }
            if current == "-", i + 1 < scalars.count, scalars[i + 1] != "]", low.ranges.count == 1, low.ranges[0].count == 1 {
                i += 1
                let h = scalars[i]
                i += 1
                let high = h == "\\" ? try parseEscape(inClass: true) : CodePointSet([h.value ... h.value])
                guard high.ranges.count == 1, high.ranges[0].count == 1, let lo = low.ranges.first?.lowerBound,
                      let hi = high.ranges.first?.lowerBound, lo <= hi else { throw refuse("bad range in class") }
                low = CodePointSet([lo ... hi])
            }
            set.formUnion(low)
        }
        return negated ? set.inverted : set
    }

    private mutating func parseEscape(inClass: Bool) throws(GrammarError) -> CodePointSet {
        guard let e = current else { throw refuse("trailing backslash") }
        i += 1
        func one(_ v: UInt32) -> CodePointSet { CodePointSet([v ... v]) }
        switch e {
        case "d": return CodePointSet([48 ... 57])
        case "w": return CodePointSet([48 ... 57, 65 ... 90, 95 ... 95, 97 ... 122])
        case "s": return CodePointSet([9 ... 13, 32 ... 32])
        case "n": return one(10)
        case "t": return one(9)
        case "r": return one(13)
        case "f": return one(12)
        case "v": return one(11)
        case "x", "u":
            var v: UInt32 = 0
            for _ in 0 ..< (e == "x" ? 2 : 4) {
                guard let c = current, let d = HexDigit.value(c.value) else { throw refuse("bad \\\(e) escape") }
                v = v << 4 | d
                i += 1
            }
            return one(v)
        case "D", "W", "S": throw refuse("\\\(e) is not supported (its Unicode meaning differs between validators)")
        case "b", "B": throw refuse("word boundaries are not supported")
        default:
            if ("0" ... "9").contains(e) { throw refuse("backreferences are not supported") }
            if e.properties.isAlphabetic { throw refuse("unknown escape \\\(e)") }
            return one(e.value)
        }
    }

    // MARK: - Output

    private func emit(_ node: Node) -> String {
        switch node {
        case .set(let s): return charRule(s)
        case .sequence(let items): return items.isEmpty ? "\"\"" : "(" + items.map(emit).joined(separator: " ") + ")"
        case .choice(let alts): return "(" + alts.map(emit).joined(separator: " | ") + ")"
        case .repetition(let x, let lo, let hi):
            let inner = emit(x)
            if let hi { return inner + "{\(lo),\(hi)}" }
            return inner + "{\(lo),}"
        }
    }
}
