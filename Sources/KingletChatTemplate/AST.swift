/// The parsed form of a template. Immutable and `Sendable`, so one parse serves concurrent renders.

/// A constant written in the template.
enum Literal: Sendable {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
}

enum BinaryOperator: String, Sendable {
    case add = "+", sub = "-", mul = "*", div = "/", floorDiv = "//", mod = "%", pow = "**"
}

enum CompareOperator: String, Sendable {
    case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">=", isIn = "in", notIn = "not in"
}

/// Arguments of a call, filter or test: positional, then keyword.
struct Arguments: Sendable {
    var positional: [Expr] = []
    var keyword: [(name: String, value: Expr)] = []
}

indirect enum Expr: Sendable {
    case literal(Literal, SourceLocation)
    case name(String, SourceLocation)
    case list([Expr], SourceLocation)
    case tuple([Expr], SourceLocation)
    case dict([(key: Expr, value: Expr)], SourceLocation)
    /// `object.name`
    case attribute(Expr, String, SourceLocation)
    /// `object[key]`
    case item(Expr, Expr, SourceLocation)
    /// `start:stop:step` inside brackets.
    case slice(Expr?, Expr?, Expr?, SourceLocation)
    case call(Expr, Arguments, SourceLocation)
    /// `value | name(args)`; the value is nil for `{% filter %}` blocks and `{% set x | f %}`.
    case filter(Expr?, String, Arguments, SourceLocation)
    /// `value is name(args)`
    case test(Expr, String, Arguments, SourceLocation)
    case negate(Expr, SourceLocation)
    case plus(Expr, SourceLocation)
    case not(Expr, SourceLocation)
    case binary(BinaryOperator, Expr, Expr, SourceLocation)
    case and(Expr, Expr, SourceLocation)
    case or(Expr, Expr, SourceLocation)
    case compare(Expr, [(CompareOperator, Expr)], SourceLocation)
    /// `a ~ b ~ c`
    case concat([Expr], SourceLocation)
    /// `then if test else otherwise`; a missing else yields undefined.
    case conditional(test: Expr, then: Expr, otherwise: Expr?, SourceLocation)

    var location: SourceLocation {
        switch self {
        case .literal(_, let l), .name(_, let l), .list(_, let l), .tuple(_, let l), .dict(_, let l),
             .attribute(_, _, let l), .item(_, _, let l), .slice(_, _, _, let l), .call(_, _, let l),
             .filter(_, _, _, let l), .test(_, _, _, let l), .negate(_, let l), .plus(_, let l), .not(_, let l),
             .binary(_, _, _, let l), .and(_, _, let l), .or(_, _, let l), .compare(_, _, let l),
             .concat(_, let l), .conditional(_, _, _, let l):
            return l
        }
    }
}

/// Left-hand side of `set`, `for` and `with`.
enum AssignTarget: Sendable {
    case name(String)
    case tuple([AssignTarget])
    /// `{% set ns.attr = ... %}`
    case namespaceAttribute(String, String)
}

struct MacroDefinition: Sendable {
    var name: String
    var parameters: [String]
    /// Defaults for the last `defaults.count` parameters.
    var defaults: [Expr]
    var body: [Node]
    var location: SourceLocation
}

struct ForLoop: Sendable {
    var target: AssignTarget
    var iterable: Expr
    var filter: Expr?
    var body: [Node]
    var otherwise: [Node]
    var location: SourceLocation
}

indirect enum Node: Sendable {
    case text(String)
    case output(Expr)
    case conditional([(test: Expr, body: [Node])], otherwise: [Node])
    case forLoop(ForLoop)
    case set(AssignTarget, Expr, SourceLocation)
    /// `{% set x %}...{% endset %}`, optionally piped through filters.
    case setBlock(AssignTarget, filter: Expr?, body: [Node], SourceLocation)
    case macro(MacroDefinition)
    /// `{% call(args) macro(...) %}body{% endcall %}`: body becomes `caller`.
    case callBlock(call: Expr, caller: MacroDefinition, SourceLocation)
    /// `{% filter f %}body{% endfilter %}`: the filter expression has a nil value slot.
    case filterBlock(Expr, body: [Node], SourceLocation)
    case with([(AssignTarget, Expr)], body: [Node])
    case breakLoop(SourceLocation)
    case continueLoop(SourceLocation)
}
