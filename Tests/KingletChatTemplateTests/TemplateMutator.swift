/// Makes hostile variants of real chat templates for the fuzzer: byte- and token-level mutations,
/// splices between templates, numbers swapped for huge ones, inserted loops, recursion, blow-ups
/// and deep nesting, plus templates generated from scratch (`TemplateGenerator`). Seeded and
/// deterministic on every platform.
struct TemplateMutator {
    var random: SeededRandom
    let corpus: [String]

    /// Numbers that break naive code: 64-bit edges, sizes past any budget, float extremes.
    static let hugeNumbers = [
        "0", "-1", "2", "7", "100", "9223372036854775807", "(-9223372036854775807 - 1)", "4294967296",
        "1000000000000000000", "1000000", "65536", "100000", "1e308", "-1e308", "1e-320",
    ]
    static let names = [
        "messages", "message", "tools", "tool", "ns", "loop", "x", "content", "role", "add_generation_prompt",
        "bos_token", "range", "namespace", "dict", "raise_exception", "caller", "none", "true", "false",
    ]
    static let filters = [
        "abs", "attr", "capitalize", "center", "count", "default", "dictsort", "escape", "first", "float", "format",
        "indent", "int", "items", "join", "last", "length", "list", "lower", "map", "max", "min", "reject",
        "rejectattr", "replace", "reverse", "round", "safe", "select", "selectattr", "sort", "string", "sum",
        "title", "tojson", "trim", "truncate", "unique", "upper", "wordcount",
    ]
    static let operands = [
        "messages", "messages[0]", "messages[0].content", "tools", "'abc'", "'x' * 1000", "range(10)",
        "[1, [2, [3]]]", "{'a': [1, 2]}", "ns", "loop", "message.content", "none", "1.5",
    ]

    init(seed: UInt64, corpus: [String]) {
        random = SeededRandom(seed: seed)
        self.corpus = corpus
    }

    /// One hostile template: a corpus template with one to three mutations, mostly ones that keep
    /// it valid Jinja (so that the render, not only the parser, meets them).
    mutating func next() -> String {
        var scalars = Array(random.pick(corpus).unicodeScalars)
        for _ in 0..<random.pick([1, 1, 1, 2, 2, 3]) {
            switch random.int(below: 16) {
            case 0: replaceScalar(&scalars)
            case 1: deleteSpan(&scalars)
            case 2: duplicateSpan(&scalars)
            case 3: mutateTokens(&scalars)
            case 4, 5: splice(&scalars)
            case 6, 7, 8, 9: insert(hostileSnippet(), into: &scalars)
            case 10, 11: wrapInLoop(&scalars)
            case 12: insert(deepNesting(), into: &scalars)
            case 13: swapNames(&scalars)
            default: swapNumbers(&scalars)
            }
        }
        return String(String.UnicodeScalarView(scalars))
    }

    /// Offsets just after a tag (`}}`, `%}`, `#}`) and the two ends: inserting there keeps tags whole.
    private func boundaries(_ s: [Unicode.Scalar]) -> [Int] {
        var found = [0, s.count]
        for i in 1..<max(1, s.count) where s[i] == "}" && "}%#".unicodeScalars.contains(s[i - 1]) { found.append(i + 1) }
        return found
    }

    // MARK: byte level

    private mutating func span(_ count: Int, max: Int = 64) -> Range<Int> {
        guard count > 0 else { return 0..<0 }
        let start = random.int(below: count)
        return start..<min(count, start + random.int(in: 1...max))
    }

    private mutating func replaceScalar(_ s: inout [Unicode.Scalar]) {
        guard !s.isEmpty else { return }
        let alphabet = Array("{}%#()[]|.,:'\"~+-*/=<>! \n_0123456789aeinorstxyz\u{0}\u{FFFD}é😀".unicodeScalars)
        for _ in 0..<random.int(in: 1...8) { s[random.int(below: s.count)] = random.pick(alphabet) }
    }

    private mutating func deleteSpan(_ s: inout [Unicode.Scalar]) {
        s.removeSubrange(span(s.count))
    }

    private mutating func duplicateSpan(_ s: inout [Unicode.Scalar]) {
        let piece = Array(s[span(s.count, max: 400)])
        s.insert(contentsOf: piece, at: random.int(below: s.count + 1))
    }

    /// A run of whole tags from another template, inserted between two tags.
    private mutating func splice(_ s: inout [Unicode.Scalar]) {
        let other = Array(random.pick(corpus).unicodeScalars)
        let cuts = boundaries(other).sorted()
        let start = random.int(below: cuts.count)
        let end = min(cuts.count - 1, start + random.int(in: 1...8))
        s.insert(contentsOf: other[cuts[start]..<cuts[end]], at: random.pick(boundaries(s)))
    }

    // MARK: token level

    private mutating func mutateTokens(_ s: inout [Unicode.Scalar]) {
        var tokens = TemplateTokens.split(s)
        guard tokens.count > 1 else { return }
        for _ in 0..<random.int(in: 1...6) {
            let i = random.int(below: tokens.count)
            switch random.int(below: 6) {
            case 0: tokens.remove(at: i)
            case 1: tokens.insert(tokens[i], at: i)
            case 2: tokens.swapAt(i, random.int(below: tokens.count))
            case 3: if TemplateTokens.isName(tokens[i]) { tokens[i] = Array(random.pick(Self.names).unicodeScalars) }
            case 4: if TemplateTokens.isName(tokens[i]) { tokens[i] = Array(random.pick(Self.filters).unicodeScalars) }
            default: tokens.insert(Array(random.pick(["|", "(", ")", "[", "]", ".", ",", " ~ ", " * ", "{{", "}}", "{%", "%}"]).unicodeScalars), at: i)
            }
            if tokens.isEmpty { break }
        }
        s = Array(tokens.joined())
    }

    private mutating func swapNames(_ s: inout [Unicode.Scalar]) {
        var tokens = TemplateTokens.split(s)
        let names = tokens.indices.filter { TemplateTokens.isName(tokens[$0]) }
        guard !names.isEmpty else { return }
        for _ in 0..<random.int(in: 1...3) {
            tokens[random.pick(names)] = Array(random.pick(Self.names + Self.filters).unicodeScalars)
        }
        s = Array(tokens.joined())
    }

    private mutating func swapNumbers(_ s: inout [Unicode.Scalar]) {
        var tokens = TemplateTokens.split(s)
        let numbers = tokens.indices.filter { TemplateTokens.isNumber(tokens[$0]) }
        guard !numbers.isEmpty else { return insert(hostileSnippet(), into: &s) }
        for _ in 0..<random.int(in: 1...3) {
            tokens[random.pick(numbers)] = Array(random.pick(Self.hugeNumbers).unicodeScalars)
        }
        s = Array(tokens.joined())
    }

    // MARK: inserted constructs

    private mutating func insert(_ text: String, into s: inout [Unicode.Scalar]) {
        s.insert(contentsOf: text.unicodeScalars, at: random.pick(boundaries(s)))
    }

    /// Repeats a run of whole tags many times (it may still cut a block in two).
    private mutating func wrapInLoop(_ s: inout [Unicode.Scalar]) {
        let n = random.pick(["3", "1000", "100000", "1000000", "9223372036854775807"])
        let cuts = boundaries(s).sorted()
        let start = random.int(below: cuts.count)
        let end = min(cuts.count - 1, start + random.int(in: 0...6))
        s.insert(contentsOf: "{% endfor %}".unicodeScalars, at: cuts[end])
        s.insert(contentsOf: "{% for i in range(\(n)) %}".unicodeScalars, at: cuts[start])
    }

    private mutating func deepNesting() -> String {
        let k = random.pick([10, 50, 150, 199, 250, 1000, 20_000])
        switch random.int(below: 5) {
        case 0: return "{{ " + String(repeating: "(", count: k) + "1" + String(repeating: ")", count: k) + " }}"
        case 1: return String(repeating: "{% if true %}", count: k) + "x" + String(repeating: "{% endif %}", count: k)
        case 2: return "{{ 1" + String(repeating: " + 1", count: k) + " }}"
        case 3: return "{{ messages" + String(repeating: "|list", count: k) + " }}"
        default: return "{{ " + String(repeating: "[", count: k) + "1" + String(repeating: "]", count: k) + " }}"
        }
    }

    private mutating func hostileSnippet() -> String {
        let n = random.pick(Self.hugeNumbers)
        let m = random.pick(Self.hugeNumbers)
        let x = random.pick(Self.operands)
        let snippets = [
            "{% for i in range(\(n)) %}{{ \(x) }}{% endfor %}",
            "{% macro r(k) %}{{ r(k) }}{% endmacro %}{{ r(1) }}",
            "{% macro r(k) %}{% if k > 0 %}{{ r(k - 1) }}{{ r(k - 1) }}{% endif %}{% endmacro %}{{ r(\(n)) }}",
            "{% set ns = namespace(v=[1]) %}{% for i in range(\(n)) %}{% set ns.v = ns.v + ns.v %}{% endfor %}{{ ns.v|length }}",
            "{% set ns = namespace(v=none) %}{% for i in range(\(n)) %}{% set ns.v = [ns.v] %}{% endfor %}{{ ns.v }}",
            "{% set ns = namespace(s='ab') %}{% for i in range(\(n)) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
            "{{ 'x' * \(n) }}", "{{ [1, 2] * \(n) }}", "{{ \(x)|center(\(n)) }}", "{{ \(x)|indent(\(n)) }}",
            "{{ \(x)|truncate(\(n)) }}", "{{ '%\(n)d' % 1 }}", "{{ '%.\(n)f' % 1.5 }}", "{{ '{:>\(n)}'.format(\(x)) }}",
            "{{ range(\(n))|join(',') }}", "{{ (\(x)|string)|replace('', \(x)|string) }}", "{{ \(x)|tojson(indent=\(n)) }}",
            "{{ \(x)[\(n):\(m):\(m)] }}", "{{ \(n) ** \(m) }}", "{{ \(n) // -1 }}", "{{ -\(n) % \(m) }}",
            "{{ (\(x)|string) * \(n) }}", "{{ \(x)|round(\(n)) }}", "{{ \(x)|int }}{{ \(x)|float }}",
            "{{ range(\(n), \(m), \(m)) }}", "{{ \(x) == \(x) }}{{ \(x) in \(x) }}", "{{ \(x)|unique|list }}",
            "{{ (\(x)|string).split('') }}", "{{ (\(x)|string).zfill(\(n)) }}", "{{ \(x)|sort }}",
            "{% set ns = namespace(h=none) %}{% for i in range(\(n)) %}{% set t = namespace() %}{% set t.n = ns.h %}{% set ns.h = t %}{% endfor %}",
            "{% for a in range(\(n)) %}{% for b in range(\(n)) %}{% endfor %}{% endfor %}",
            "{% macro r() %}{{ caller() }}{% endmacro %}{% call r() %}{% call r() %}x{% endcall %}{% endcall %}",
            "{{ 99999999999999999999 }}", "{{ '\\U0010FFFF\\x00\\777' }}", "{{ \(x)|int(base=\(n)) }}",
        ]
        return random.pick(snippets)
    }
}

/// Rough Jinja tokens for mutation: whitespace runs, names, numbers, quoted strings, tag markers
/// and single characters. Joining the tokens gives back the template.
enum TemplateTokens {
    static func split(_ s: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        var tokens: [[Unicode.Scalar]] = []
        var i = 0
        func isNameScalar(_ c: Unicode.Scalar) -> Bool {
            c.isASCII ? (c == "_" || c.isASCIIDigitScalar || (c.value | 0x20) >= 0x61 && (c.value | 0x20) <= 0x7A)
                : c.properties.isAlphabetic
        }
        while i < s.count {
            let start = i
            let c = s[i]
            if c == " " || c == "\n" || c == "\t" {
                while i < s.count, s[i] == " " || s[i] == "\n" || s[i] == "\t" { i += 1 }
            } else if c.isASCIIDigitScalar {
                while i < s.count, s[i].isASCIIDigitScalar || s[i] == "." { i += 1 }
            } else if isNameScalar(c) {
                while i < s.count, isNameScalar(s[i]) { i += 1 }
            } else if c == "'" || c == "\"" {
                i += 1
                while i < s.count, s[i] != c, s[i] != "\n" { i += 1 }
                i = min(s.count, i + 1)
            } else if i + 1 < s.count, (c == "{" && "{%#".unicodeScalars.contains(s[i + 1]))
                        || ("}%#".unicodeScalars.contains(c) && s[i + 1] == "}") {
                i += 2
            } else {
                i += 1
            }
            tokens.append(Array(s[start..<i]))
        }
        return tokens
    }

    static func isName(_ t: [Unicode.Scalar]) -> Bool {
        guard let c = t.first else { return false }
        return c == "_" || (c.properties.isAlphabetic && !c.isASCIIDigitScalar)
    }

    static func isNumber(_ t: [Unicode.Scalar]) -> Bool { t.first?.isASCIIDigitScalar ?? false }
}

extension Unicode.Scalar {
    var isASCIIDigitScalar: Bool { value >= 0x30 && value <= 0x39 }
}

/// SplitMix64: a seeded generator whose sequence is the same on every platform and Swift version
/// (the standard library's is seeded randomly, and its range helpers may change).
struct SeededRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<bound (bound > 0; the modulo bias is irrelevant here).
    mutating func int(below bound: Int) -> Int { Int(next() % UInt64(bound)) }

    mutating func int(in range: ClosedRange<Int>) -> Int { range.lowerBound + int(below: range.count) }

    mutating func pick<T>(_ items: [T]) -> T { items[int(below: items.count)] }
}
