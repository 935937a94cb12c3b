/// Writes random templates from scratch for the fuzzer: statements (`if`, `for`, `set`, `macro`,
/// `call`, `filter`, `with`) around expressions built from every operator, filter, test and
/// method the engine knows, with extreme numbers among the literals.
struct TemplateGenerator {
    var random: SeededRandom

    init(seed: UInt64) {
        random = SeededRandom(seed: seed)
    }

    mutating func next() -> String {
        "{% set ns = namespace(v=1) %}" + (0..<random.int(in: 1...6)).map { _ in statement(depth: 0) }.joined()
    }

    private mutating func statement(depth: Int) -> String {
        let body = { (g: inout TemplateGenerator) -> String in
            depth > 3 ? "x" : (0..<g.random.int(in: 1...3)).map { _ in g.statement(depth: depth + 1) }.joined()
        }
        switch random.int(below: depth > 3 ? 3 : 11) {
        case 0: return random.pick(["text ", "\n", " <|im_start|> "])
        case 1, 2: return "{{ \(expression(depth: 0)) }}"
        case 3: return "{% if \(expression(depth: 0)) %}\(body(&self)){% else %}\(body(&self)){% endif %}"
        case 4: return "{% for v in \(expression(depth: 0)) %}\(body(&self)){{ loop.index }}{% endfor %}"
        case 5: return "{% set v = \(expression(depth: 0)) %}"
        case 6: return "{% set ns.v = \(expression(depth: 0)) %}"
        case 7: return "{% macro m(a, b=\(expression(depth: 2))) %}\(body(&self)){% endmacro %}{{ m(\(expression(depth: 1))) }}"
        case 8: return "{% filter \(random.pick(TemplateMutator.filters)) %}\(body(&self)){% endfilter %}"
        case 9: return "{% with w = \(expression(depth: 0)) %}\(body(&self)){% endwith %}"
        default: return "{% set b %}\(body(&self)){% endset %}{{ b }}"
        }
    }

    private mutating func expression(depth: Int) -> String {
        if depth > 3 || random.int(below: 4) == 0 { return atom() }
        let a = expression(depth: depth + 1)
        switch random.int(below: 9) {
        case 0: return "\(a) \(random.pick(["+", "-", "*", "/", "//", "%", "**", "~", "and", "or", "==", "<", "in"])) \(expression(depth: depth + 1))"
        case 1: return "(\(a))|\(random.pick(TemplateMutator.filters))\(arguments(depth))"
        case 2: return "(\(a)) is \(random.pick(["defined", "none", "string", "mapping", "divisibleby(3)", "in([1])", "odd"]))"
        case 3: return "(\(a)).\(random.pick(["strip", "split", "upper", "get", "items", "keys", "startswith", "replace", "format", "join", "count", "center"]))\(arguments(depth))"
        case 4: return "(\(a))[\(expression(depth: depth + 1))]"
        case 5: return "(\(a))[\(random.pick(TemplateMutator.hugeNumbers)):\(random.pick(TemplateMutator.hugeNumbers))]"
        case 6: return "[\(a), \(expression(depth: depth + 1))]"
        case 7: return "\(a) if \(expression(depth: depth + 1)) else \(expression(depth: depth + 1))"
        default: return "{'k': \(a), \(atom()): \(expression(depth: depth + 1))}"
        }
    }

    private mutating func arguments(_ depth: Int) -> String {
        switch random.int(below: 3) {
        case 0: return ""
        case 1: return "(\(expression(depth: depth + 2)))"
        default: return "(\(expression(depth: depth + 2)), \(expression(depth: depth + 2)))"
        }
    }

    private mutating func atom() -> String {
        switch random.int(below: 5) {
        case 0: return random.pick(TemplateMutator.hugeNumbers)
        case 1: return random.pick(["'abc'", "''", "'%s %d'", "'{}'", "'é😀\\n'", "'x' * 1000", "'a,b,c'"])
        case 2: return random.pick(["range(5)", "namespace(v=1)", "dict(a=1)", "ns.v", "messages|length", "('nan'|float)",
                                    "('-inf'|float)"])
        default: return random.pick(TemplateMutator.operands + TemplateMutator.names)
        }
    }
}
