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

    /// Levels of nesting (a leaf is 1). Recursive, so only for trees the parser keeps within its
    /// nesting limit.
    var depth: Int {
        switch self {
        case .literal, .name: return 1
        case .attribute(let e, _, _), .negate(let e, _), .plus(let e, _), .not(let e, _): return 1 + e.depth
        case .item(let a, _, _), .binary(_, let a, _, _), .and(let a, _, _), .or(let a, _, _),
             .call(let a, _, _), .test(let a, _, _, _), .compare(let a, _, _):
            return max(1 + a.depth, depthBesidesChain)
        case .filter(let base, _, _, _): return max(1 + (base?.depth ?? 0), depthBesidesChain)
        case .conditional(_, let then, _, _): return max(1 + then.depth, depthBesidesChain)
        case .list, .tuple, .dict, .slice, .concat: return depthBesidesChain
        }
    }

    /// 1 + the depth of every child except the one a left-leaning chain continues from (the
    /// left operand, the callee, the filtered value, `then` of an inline if).
    var depthBesidesChain: Int {
        func most(_ es: [Expr]) -> Int { es.reduce(0) { max($0, $1.depth) } }
        func args(_ a: Arguments) -> Int { max(most(a.positional), most(a.keyword.map(\.value))) }
        switch self {
        case .literal, .name, .attribute: return 1
        case .negate(let e, _), .plus(let e, _), .not(let e, _): return 1 + e.depth
        case .list(let items, _), .tuple(let items, _), .concat(let items, _): return 1 + most(items)
        case .dict(let pairs, _): return 1 + max(most(pairs.map(\.key)), most(pairs.map(\.value)))
        case .item(_, let b, _), .binary(_, _, let b, _), .and(_, let b, _), .or(_, let b, _): return 1 + b.depth
        case .slice(let a, let b, let c, _): return 1 + most([a, b, c].compactMap { $0 })
        case .call(_, let a, _), .filter(_, _, let a, _), .test(_, _, let a, _): return 1 + args(a)
        case .compare(_, let operations, _): return 1 + most(operations.map(\.1))
        case .conditional(let test, _, let otherwise, _): return 1 + max(test.depth, otherwise?.depth ?? 0)
        }
    }

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
    case text(String, SourceLocation)
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
    case with([(AssignTarget, Expr)], body: [Node], SourceLocation)
    case breakLoop(SourceLocation)
    case continueLoop(SourceLocation)

    /// Where the statement starts (for an `if`, its first test).
    var location: SourceLocation {
        switch self {
        case .text(_, let l), .set(_, _, let l), .setBlock(_, _, _, let l), .callBlock(_, _, let l),
             .filterBlock(_, _, let l), .with(_, _, let l), .breakLoop(let l), .continueLoop(let l):
            return l
        case .output(let e): return e.location
        case .conditional(let branches, _): return branches.first?.test.location ?? SourceLocation(line: 0, column: 0)
        case .forLoop(let loop): return loop.location
        case .macro(let m): return m.location
        }
    }
}
