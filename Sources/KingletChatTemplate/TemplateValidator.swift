/// Checks filter and test names after parsing, as jinja2's compiler does: an unknown name is an
/// error at compile time, except inside an `if` (test or body) or an inline `x if c else y`,
/// where jinja2 defers the error to the moment the filter actually runs. A `for`, macro, call,
/// `filter`, `with` or `set` block starts a fresh (strict) frame again.
struct TemplateValidator {
    /// Every filter and test jinja2 3.1 ships, so a name it knows but Kinglet lacks reads
    /// "unsupported" rather than "no such filter".
    static let jinjaFilters: Set<String> = [
        "abs", "attr", "batch", "capitalize", "center", "count", "d", "default", "dictsort", "e", "escape",
        "filesizeformat", "first", "float", "forceescape", "format", "groupby", "indent", "int", "items", "join",
        "last", "length", "list", "lower", "map", "max", "min", "pprint", "random", "reject", "rejectattr",
        "replace", "reverse", "round", "safe", "select", "selectattr", "slice", "sort", "string", "striptags",
        "sum", "title", "tojson", "trim", "truncate", "unique", "upper", "urlencode", "urlize", "wordcount",
        "wordwrap", "xmlattr",
    ]
    static let jinjaTests: Set<String> = Tests.names.union(["filter", "test"])

    /// The tree is as deep as the parser allowed; in a debug build that can still be more stack
    /// than a thread has.
    private let stack = StackGuard()

    static func validate(_ nodes: [Node]) throws(TemplateError) {
        let validator = TemplateValidator()
        for node in nodes { try validator.validate(node, soft: false) }
    }

    private func validate(_ node: Node, soft: Bool) throws(TemplateError) {
        try stack.check(at: node.location)
        switch node {
        case .text, .breakLoop, .continueLoop, .macro:
            if case .macro(let m) = node { try validateMacro(m) }
        case .output(let e):
            try validate(e, soft: soft)
        case .conditional(let branches, let otherwise):
            for branch in branches {
                try validate(branch.test, soft: true)
                for n in branch.body { try validate(n, soft: true) }
            }
            for n in otherwise { try validate(n, soft: true) }
        case .forLoop(let loop):
            try validate(loop.iterable, soft: soft)
            if let filter = loop.filter { try validate(filter, soft: false) }
            for n in loop.body + loop.otherwise { try validate(n, soft: false) }
        case .set(_, let e, _):
            try validate(e, soft: soft)
        case .setBlock(_, let filter, let body, _):
            if let filter { try validate(filter, soft: false) }
            for n in body { try validate(n, soft: false) }
        case .callBlock(let call, let caller, _):
            try validate(call, soft: soft)
            try validateMacro(caller)
        case .filterBlock(let filter, let body, _):
            try validate(filter, soft: false)
            for n in body { try validate(n, soft: false) }
        case .with(let assignments, let body, _):
            for (_, e) in assignments { try validate(e, soft: false) }
            for n in body { try validate(n, soft: false) }
        }
    }

    private func validateMacro(_ macro: MacroDefinition) throws(TemplateError) {
        for d in macro.defaults { try validate(d, soft: false) }
        for n in macro.body { try validate(n, soft: false) }
    }

    private func validate(_ args: Arguments, soft: Bool) throws(TemplateError) {
        for e in args.positional { try validate(e, soft: soft) }
        for (_, e) in args.keyword { try validate(e, soft: soft) }
    }

    private func validate(_ expr: Expr, soft: Bool) throws(TemplateError) {
        try stack.check(at: expr.location)
        switch expr {
        case .literal, .name:
            break
        case .list(let items, _), .tuple(let items, _), .concat(let items, _):
            for e in items { try validate(e, soft: soft) }
        case .dict(let pairs, _):
            for p in pairs {
                try validate(p.key, soft: soft)
                try validate(p.value, soft: soft)
            }
        case .attribute(let e, _, _), .negate(let e, _), .plus(let e, _), .not(let e, _):
            try validate(e, soft: soft)
        case .item(let a, let b, _), .binary(_, let a, let b, _), .and(let a, let b, _), .or(let a, let b, _):
            try validate(a, soft: soft)
            try validate(b, soft: soft)
        case .slice(let a, let b, let c, _):
            for e in [a, b, c].compactMap({ $0 }) { try validate(e, soft: soft) }
        case .call(let callee, let args, _):
            try validate(callee, soft: soft)
            try validate(args, soft: soft)
        case .filter(let base, let name, let args, let location):
            if let base { try validate(base, soft: soft) }
            try validate(args, soft: soft)
            if !Filters.isKnown(name) && !soft {
                if TemplateValidator.jinjaFilters.contains(name) { throw .unsupported(construct: "filter '\(name)'", at: location) }
                throw .syntax("No filter named '\(name)'", at: location)
            }
        case .test(let value, let name, let args, let location):
            try validate(value, soft: soft)
            try validate(args, soft: soft)
            if !Tests.isKnown(name) && !soft {
                if TemplateValidator.jinjaTests.contains(name) { throw .unsupported(construct: "test '\(name)'", at: location) }
                throw .syntax("No test named '\(name)'", at: location)
            }
        case .compare(let first, let operations, _):
            try validate(first, soft: soft)
            for (_, e) in operations { try validate(e, soft: soft) }
        case .conditional(let test, let then, let otherwise, _):
            try validate(test, soft: true)
            try validate(then, soft: true)
            if let otherwise { try validate(otherwise, soft: true) }
        }
    }
}
