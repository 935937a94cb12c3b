import KingletChatTemplate

/// Templates that crashed, hung or exhausted memory before the render budget (issue 12), and
/// what they do now. `before` records what the engine did before (release build, x86-64 Linux):
/// "trap" (overflow or precondition), "stack overflow", "out of memory", "hang" (> 20 s), or a
/// wrong output; nil where it already coped.
struct HostileCase: Sendable, CustomStringConvertible {
    enum Outcome: Sendable {
        /// Renders exactly this.
        case output(String)
        /// `TemplateError.budgetExceeded` with this limit.
        case budget(RenderBudget.Limit)
        /// `.budgetExceeded` with `.depth` or `.callDepth`, or `.stack` where a debug build's
        /// frames reach it first.
        case nesting
        /// `TemplateError.limitExceeded` (64-bit integer range).
        case outOfRange
        /// `TemplateError.type` (what Python would raise as TypeError/ValueError).
        case typeError
    }

    var name: String
    var source: String
    var outcome: Outcome
    var before: String?
    /// The quadratic and exponential cases use a tenth of the steps, to keep the suite quick; one
    /// case (`runaway-recursion`) spends all the default steps (with no clock, so that a loaded
    /// machine cannot make it end on time instead).
    var budget = RenderBudget.default

    var description: String { name }
}

extension HostileCase {
    static let tenthOfSteps = RenderBudget(maxSteps: RenderBudget.default.maxSteps / 10)
    static let int64Min = "(-9223372036854775807 - 1)"
    static let int64Max = "9223372036854775807"

    static let all: [HostileCase] = arithmetic + formatting + sizes + sequences + work + nesting

    static let arithmetic: [HostileCase] = [
        HostileCase(name: "negate-int-min", source: "{{ -\(int64Min) }}", outcome: .outOfRange),
        HostileCase(name: "add-overflow", source: "{{ \(int64Max) + 1 }}", outcome: .outOfRange),
        HostileCase(name: "mul-overflow", source: "{{ 4294967296 * 4294967296 }}", outcome: .outOfRange),
        HostileCase(name: "floordiv-int-min", source: "{{ \(int64Min) // -1 }}", outcome: .outOfRange),
        HostileCase(name: "mod-int-min", source: "{{ \(int64Min) % -1 }}", outcome: .outOfRange),
        HostileCase(name: "pow-overflow", source: "{{ 2 ** \(int64Max) }}", outcome: .outOfRange),
        HostileCase(name: "divisibleby-int-min", source: "{{ \(int64Min) is divisibleby(-1) }}", outcome: .output("True"),
                    before: "trap"),
        HostileCase(name: "abs-int-min", source: "{{ \(int64Min)|abs }}", outcome: .outOfRange),
        HostileCase(name: "int-of-nan", source: "{{ 'nan'|float|int }}", outcome: .output("0")),
        HostileCase(name: "int-of-huge-float", source: "{{ 1e300|int }}|{{ '-inf'|float|int(7) }}", outcome: .output("0|7")),
        HostileCase(name: "nan-dict-key", source: "{% set d = {('nan'|float): 1} %}{{ d }}{{ d|length }}{{ d|tojson }}",
                    outcome: .output("{nan: 1}1{\"NaN\": 1}"), before: "trap"),
        HostileCase(name: "int-base-out-of-range", source: "{{ '5'|int(base=1) }}|{{ '5'|int(7, 37) }}", outcome: .output("0|7"),
                    before: "trap (found by the fuzzer)"),
        HostileCase(name: "percent-d-of-inf", source: "{{ '%d' % ('inf'|float) }}", outcome: .typeError),
        HostileCase(name: "round-huge-precision", source: "{{ 1.5|round(\(int64Max)) }}", outcome: .output("1.5"), before: "wrong output (nan)"),
        HostileCase(name: "round-int-min-precision", source: "{{ 1.5|round(\(int64Min)) }}", outcome: .output("0.0"),
                    before: "trap"),
        HostileCase(name: "round-floor-extreme", source: "{{ 1.5|round(-400, 'floor') }}", outcome: .outOfRange, before: "wrong output (nan)"),
        HostileCase(name: "range-full-int64", source: "{{ range(\(int64Min), \(int64Max))|length }}",
                    outcome: .budget(.collectionCount), before: "trap"),
        HostileCase(name: "range-full-int64-down", source: "{{ range(\(int64Max), \(int64Min), -1)|length }}",
                    outcome: .budget(.collectionCount), before: "trap"),
        HostileCase(name: "range-extreme-step", source: "{{ range(\(int64Min), \(int64Max), \(int64Max))|list }}",
                    outcome: .output("[-9223372036854775808, -1, 9223372036854775806]"), before: "trap"),
        HostileCase(name: "range-step-zero", source: "{{ range(1, 2, 0) }}", outcome: .typeError),
        HostileCase(name: "slice-step-overflow", source: "{{ [1, 2, 3][1::\(int64Max)] }}", outcome: .output("[2]"),
                    before: "trap"),
        HostileCase(name: "string-slice-step-overflow", source: "{{ 'abc'[1::\(int64Max)] }}", outcome: .output("b"),
                    before: "trap"),
        HostileCase(name: "slice-extreme-bounds", source: "{{ [1, 2, 3][\(int64Min):\(int64Max)] }}|{{ 'abc'[::-\(int64Max)] }}",
                    outcome: .output("[1, 2, 3]|c")),
        HostileCase(name: "string-index-extreme", source: "{{ 'abc'[\(int64Min)] is undefined }}|{{ 'abc'[-1] }}",
                    outcome: .output("True|c")),
        HostileCase(name: "truncate-int64-max", source: "{{ 'abcdef'|truncate(\(int64Max)) }}", outcome: .output("abcdef"),
                    before: "trap"),
        HostileCase(name: "truncate-negative-leeway", source: "{{ 'abcdef'|truncate(3, leeway=-5) }}", outcome: .typeError, before: "wrong output"),
    ]

    static let formatting: [HostileCase] = [
        HostileCase(name: "percent-width-overflow", source: "{{ '%99999999999999999999d' % 1 }}",
                    outcome: .budget(.stringBytes), before: "trap"),
        HostileCase(name: "percent-width-huge", source: "{{ '%5000000000d' % 1 }}", outcome: .budget(.stringBytes), before: "hang"),
        HostileCase(name: "percent-precision-huge", source: "{{ '%.5000000000f' % 1.5 }}", outcome: .budget(.stringBytes),
                    before: "trap"),
        HostileCase(name: "percent-precision-overflow", source: "{{ '%.99999999999999999999f' % 1.5 }}",
                    outcome: .budget(.stringBytes), before: "trap"),
        HostileCase(name: "format-filter-width", source: "{{ '%5000000000s'|format('a') }}", outcome: .budget(.stringBytes),
                    before: "hang"),
        HostileCase(name: "brace-width-overflow", source: "{{ '{:99999999999999999999}'.format(1) }}",
                    outcome: .budget(.stringBytes), before: "trap"),
        HostileCase(name: "brace-width-huge", source: "{{ '{:>5000000000}'.format(1) }}", outcome: .budget(.stringBytes),
                    before: "hang"),
        HostileCase(name: "brace-precision-huge", source: "{{ '{:.5000000000f}'.format(1.5) }}", outcome: .budget(.stringBytes),
                    before: "trap"),
        HostileCase(name: "brace-long-spec", source: "{{ ('{:' ~ '9' * 1000000 ~ '}').format(1) }}",
                    outcome: .budget(.stringBytes), before: "trap"),
        HostileCase(name: "center-filter-huge", source: "{{ 'x'|center(1000000000000) }}", outcome: .budget(.stringBytes),
                    before: "out of memory"),
        HostileCase(name: "center-empty-fill", source: "{{ 'a'.center(5, '') }}", outcome: .typeError, before: "trap"),
        HostileCase(name: "ljust-long-fill", source: "{{ 'a'.ljust(5, 'xy') }}", outcome: .typeError, before: "trap (debug), wrong output (release)"),
        HostileCase(name: "zfill-huge", source: "{{ 'a'.zfill(30000000) }}", outcome: .budget(.stringBytes)),
        HostileCase(name: "indent-huge", source: "{{ 'a\\nb'|indent(1000000000000) }}", outcome: .budget(.stringBytes),
                    before: "out of memory"),
        HostileCase(name: "indent-many-lines", source: "{{ ('\\n' * 1000000)|indent('x' * 100) }}", outcome: .budget(.stringBytes)),
        HostileCase(name: "tojson-indent-huge", source: "{{ [1]|tojson(indent=1000000000000) }}", outcome: .budget(.stringBytes),
                    before: "out of memory"),
        HostileCase(name: "tojson-indent-deep", source: "{{ [[[[[[[[1]]]]]]]]|tojson(indent='x' * 5000000) }}",
                    outcome: .budget(.stringBytes)),
    ]

    static let sizes: [HostileCase] = [
        HostileCase(name: "repeat-empty-string", source: "{{ ('' * 1000000000000000000)|length }}", outcome: .output("0"),
                    before: "hang"),
        HostileCase(name: "repeat-empty-list", source: "{{ ([] * 1000000000000000000)|length }}", outcome: .output("0"),
                    before: "out of memory"),
        HostileCase(name: "repeat-string-huge", source: "{{ 'x' * 10 ** 9 }}", outcome: .budget(.stringBytes)),
        HostileCase(name: "repeat-string-overflow", source: "{{ 'xy' * \(int64Max) }}", outcome: .budget(.stringBytes)),
        HostileCase(name: "repeat-negative", source: "{{ 'x' * -5 }}|{{ [1] * -5 }}", outcome: .output("|[]")),
        HostileCase(name: "repeat-list-huge", source: "{{ [1, 2] * 10 ** 9 }}", outcome: .budget(.collectionCount)),
        HostileCase(name: "list-doubling", source: """
            {% set ns = namespace(l=[1]) %}{% for i in range(40) %}{% set ns.l = ns.l + ns.l %}{% endfor %}{{ ns.l|length }}
            """, outcome: .budget(.collectionCount), before: "out of memory"),
        HostileCase(name: "string-doubling", source: """
            {% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}
            """, outcome: .budget(.stringBytes)),
        HostileCase(name: "replace-blowup", source: "{% set s = 'x' * 4000000 %}{{ (s|replace('x', s))|length }}",
                    outcome: .budget(.stringBytes), before: "hang"),
        HostileCase(name: "replace-empty-blowup", source: "{{ ('x' * 1000000).replace('', 'abcdefghijklmnopq')|length }}",
                    outcome: .budget(.stringBytes), before: "hang"),
        HostileCase(name: "join-blowup", source: "{% set s = 'x' * 10000000 %}{{ (([s] * 100000)|join)|length }}",
                    outcome: .budget(.stringBytes), before: "out of memory"),
        HostileCase(name: "repr-blowup", source: "{% set s = 'x' * 10000000 %}{{ ([s] * 100000)|string|length }}",
                    outcome: .budget(.stringBytes), before: "hang"),
        HostileCase(name: "tojson-blowup", source: "{% set s = 'x' * 10000000 %}{{ ([s] * 100000)|tojson|length }}",
                    outcome: .budget(.stringBytes), before: "hang"),
        HostileCase(name: "split-into-millions", source: "{{ ('x,' * 4000000).split(',')|length }}",
                    outcome: .budget(.collectionCount)),
        HostileCase(name: "iterate-huge-string", source: "{% for c in 'x' * 2000000 %}{% endfor %}",
                    outcome: .budget(.collectionCount)),
        HostileCase(name: "output-huge", source: "{% for i in range(100000) %}{{ 'x' * 100 }}{% endfor %}",
                    outcome: .budget(.outputBytes)),
        HostileCase(name: "set-block-huge", source: "{% set s %}{% for i in range(100000) %}{{ 'x' * 100 }}{% endfor %}{% endset %}",
                    outcome: .budget(.outputBytes)),
    ]

    static let sequences: [HostileCase] = [
        HostileCase(name: "unique-quadratic", source: "{{ range(900000)|unique|list|length }}",
                    outcome: .budget(.steps), before: "hang", budget: tenthOfSteps),
        HostileCase(name: "in-list-quadratic", source: """
            {% set l = range(900000)|list %}{% for i in range(900000) %}{% if -1 in l %}{% endif %}{% endfor %}
            """, outcome: .budget(.steps), budget: tenthOfSteps),
        HostileCase(name: "equal-quadratic", source: """
            {% set l = [range(1000)|list] * 1000 %}{% for i in range(1000) %}{{ l == l }}{% endfor %}
            """, outcome: .budget(.steps), before: "hang", budget: tenthOfSteps),
        HostileCase(name: "sort-large", source: "{{ (range(100000)|map('string')|map('reverse')|sort)[0] }}",
                    outcome: .budget(.steps), budget: tenthOfSteps),
        HostileCase(name: "find-worst-case", source: """
            {% set h = 'a' * 4000000 %}{% set n = 'a' * 2000000 ~ 'b' %}{{ h.find(n) }}|{{ n in h }}|{{ h.count(n) }}
            """, outcome: .output("-1|False|0"), before: "hang"),
    ]

    static let work: [HostileCase] = [
        HostileCase(name: "runaway-recursion", source: """
            {% macro f(n) %}{% if n > 0 %}\(String(repeating: "{{ f(n - 1) }}", count: 16)){% endif %}{% endmacro %}{{ f(8) }}
            """, outcome: .budget(.steps), before: "hang", budget: RenderBudget(timeLimit: nil)),
        HostileCase(name: "nested-loops", source: """
            {% for i in range(1000000) %}{% for j in range(1000000) %}{% endfor %}{% endfor %}
            """, outcome: .budget(.steps), budget: tenthOfSteps),
        HostileCase(name: "time-limit", source: """
            {% for i in range(1000000) %}{% for j in range(1000000) %}{% endfor %}{% endfor %}
            """, outcome: .budget(.time), budget: RenderBudget(timeLimit: .milliseconds(5))),
        HostileCase(name: "infinite-macro-recursion", source: "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
                    outcome: .nesting),
        HostileCase(name: "caller-recursion", source: """
            {% macro f(n) %}{% call f(n - 1) %}{{ caller() }}{% endcall %}{% endmacro %}{{ f(1000) }}
            """, outcome: .budget(.callDepth), budget: RenderBudget(maxCallDepth: 8)),
    ]

    static let nesting: [HostileCase] = [
        HostileCase(name: "deep-parentheses", source: "{{ " + String(repeating: "(", count: 100_000) + "1"
                    + String(repeating: ")", count: 100_000) + " }}", outcome: .nesting),
        HostileCase(name: "deep-if-blocks", source: String(repeating: "{% if true %}", count: 100_000) + "x"
                    + String(repeating: "{% endif %}", count: 100_000), outcome: .nesting),
        HostileCase(name: "deep-lists", source: "{{ " + String(repeating: "[", count: 100_000) + "1"
                    + String(repeating: "]", count: 100_000) + " }}", outcome: .nesting),
        HostileCase(name: "long-plus-chain", source: "{{ 1" + String(repeating: " + 1", count: 100_000) + " }}",
                    outcome: .nesting, before: "stack overflow"),
        HostileCase(name: "long-filter-chain", source: "{{ 'x'" + String(repeating: "|trim", count: 100_000) + " }}",
                    outcome: .nesting, before: "stack overflow"),
        HostileCase(name: "long-attribute-chain", source: "{{ x" + String(repeating: ".a", count: 100_000) + " }}",
                    outcome: .nesting, before: "stack overflow"),
        HostileCase(name: "long-test-chain", source: "{{ x" + String(repeating: " is not defined()", count: 100_000) + " }}",
                    outcome: .nesting, before: "stack overflow"),
        HostileCase(name: "long-inline-if-chain", source: "{{ 1" + String(repeating: " if 1", count: 100_000) + " }}",
                    outcome: .nesting, before: "stack overflow"),
        HostileCase(name: "deep-value", source: """
            {% set ns = namespace(a=none) %}{% for i in range(200000) %}{% set ns.a = [ns.a] %}{% endfor %}{{ ns.a|length }}
            """, outcome: .budget(.depth), before: "stack overflow"),
        HostileCase(name: "deep-value-equality", source: """
            {% set ns = namespace(a=none) %}{% for i in range(50000) %}{% set ns.a = [ns.a] %}{% endfor %}{{ ns.a == ns.a }}
            """, outcome: .budget(.depth), before: "stack overflow"),
        HostileCase(name: "deep-value-through-dict", source: """
            {% set ns = namespace(a=none) %}{% for i in range(50000) %}{% set ns.a = dict(a=ns.a) %}{% endfor %}
            """, outcome: .budget(.depth), before: "stack overflow"),
        HostileCase(name: "deep-value-through-method", source: """
            {% set ns = namespace(a=none) %}{% for i in range(50000) %}{% set ns.a = {'k': ns.a}.get %}{% endfor %}
            """, outcome: .budget(.depth), before: "stack overflow"),
        HostileCase(name: "namespace-chain", source: """
            {% set ns = namespace(h=none) %}{% for i in range(50000) %}{% set t = namespace() %}{% set t.next = ns.h %}\
            {% set ns.h = t %}{% endfor %}done
            """, outcome: .output("done"), before: "stack overflow"),
        HostileCase(name: "macro-scope-chain", source: """
            {% set ns = namespace(f=none) %}{% for i in range(50000) %}{% set g = ns.f %}{% macro f() %}{{ g }}{% endmacro %}\
            {% set ns.f = f %}{% endfor %}done
            """, outcome: .output("done")),
        HostileCase(name: "self-namespace", source: "{% set ns = namespace() %}{% set ns.me = ns %}{{ ns }}", outcome: .nesting),
    ]
}
