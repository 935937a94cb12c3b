import Foundation

/// Executes statements for one render. Expressions are in `ExpressionEvaluator.swift`,
/// operators in `Operators.swift`, filters/tests/methods/globals in their own files.
final class Renderer {
    let limits: RenderLimits
    let now: Date
    let timeZone: TimeZone
    private(set) var iterations = 0
    var callDepth = 0

    init(limits: RenderLimits, now: Date, timeZone: TimeZone) {
        self.limits = limits
        self.now = now
        self.timeZone = timeZone
    }

    /// The frame under the user's context: the global functions.
    static func globalScope() -> Scope {
        let scope = Scope(parent: nil)
        for name in Globals.names { scope.set(name, .callable(.global(name))) }
        return scope
    }

    func render(_ nodes: [Node], context: [String: Value]) throws(TemplateError) -> String {
        let scope = Scope(parent: Renderer.globalScope())
        for (k, v) in context { scope.set(k, v) }
        var out = ""
        _ = try execute(nodes, in: scope, into: &out)
        return out
    }

    // MARK: limits

    func countIterations(_ n: Int, at location: SourceLocation) throws(TemplateError) {
        iterations += n
        if iterations > limits.maxIterations {
            throw .limitExceeded("more than \(limits.maxIterations) loop iterations", at: location)
        }
    }

    func checkSize(_ s: String, at location: SourceLocation) throws(TemplateError) {
        if s.utf8.count > limits.maxStringBytes {
            throw .limitExceeded("a string grew past \(limits.maxStringBytes) bytes", at: location)
        }
    }

    // MARK: statements

    func execute(_ nodes: [Node], in scope: Scope, into out: inout String) throws(TemplateError) -> Flow {
        for node in nodes {
            let flow = try execute(node, in: scope, into: &out)
            if flow != .normal { return flow }
        }
        return .normal
    }

    private func execute(_ node: Node, in scope: Scope, into out: inout String) throws(TemplateError) -> Flow {
        switch node {
        case .text(let text):
            out += text
        case .output(let expr):
            out += try string(try evaluate(expr, in: scope), at: expr.location)
            try checkSize(out, at: expr.location)
        case .conditional(let branches, let otherwise):
            for branch in branches where try evaluate(branch.test, in: scope).truthy {
                return try execute(branch.body, in: scope, into: &out)
            }
            return try execute(otherwise, in: scope, into: &out)
        case .forLoop(let loop):
            try executeFor(loop, in: scope, into: &out)
        case .set(let target, let expr, let location):
            try assign(target, try evaluate(expr, in: scope), in: scope, at: location)
        case .setBlock(let target, let filter, let body, let location):
            var text = ""
            _ = try execute(body, in: scope, into: &text)
            var value: Value = .string(text)
            if let filter { value = try applyFilterChain(filter, to: value, in: scope) }
            try assign(target, value, in: scope, at: location)
        case .macro(let definition):
            scope.set(definition.name, .callable(.macro(definition, scope)))
        case .callBlock(let call, let caller, let location):
            guard case .call(let callee, let args, _) = call else { break }
            let macro = Value.callable(.macro(caller, scope))
            let result = try callExpression(callee, args, extra: [("caller", macro)], in: scope, at: location)
            out += try string(result, at: location)
            try checkSize(out, at: location)
        case .filterBlock(let filter, let body, _):
            var text = ""
            _ = try execute(body, in: scope, into: &text)
            out += try string(try applyFilterChain(filter, to: .string(text), in: scope), at: filter.location)
        case .with(let assignments, let body):
            let inner = Scope(parent: scope)
            for (target, expr) in assignments {
                try assign(target, try evaluate(expr, in: scope), in: inner, at: expr.location)
            }
            return try execute(body, in: inner, into: &out)
        case .breakLoop:
            return .breakLoop
        case .continueLoop:
            return .continueLoop
        }
        return .normal
    }

    private func executeFor(_ loop: ForLoop, in scope: Scope, into out: inout String) throws(TemplateError) {
        let iterable = try evaluate(loop.iterable, in: scope)
        var items = try iterate(iterable, at: loop.iterable.location)
        if let filter = loop.filter {
            var kept: [Value] = []
            for item in items {
                let probe = Scope(parent: scope)
                try assign(loop.target, item, in: probe, at: loop.location)
                if try evaluate(filter, in: probe).truthy { kept.append(item) }
            }
            items = kept
        }
        if items.isEmpty {
            _ = try execute(loop.otherwise, in: Scope(parent: scope), into: &out)
            return
        }
        for (index, item) in items.enumerated() {
            try countIterations(1, at: loop.location)
            let inner = Scope(parent: scope)
            try assign(loop.target, item, in: inner, at: loop.location)
            inner.set("loop", .loop(LoopContext(items: items, index0: index)))
            if try execute(loop.body, in: inner, into: &out) == .breakLoop { break }
        }
    }

    func assign(_ target: AssignTarget, _ value: Value, in scope: Scope, at location: SourceLocation) throws(TemplateError) {
        switch target {
        case .name(let name):
            scope.set(name, value)
        case .namespaceAttribute(let name, let attribute):
            guard case .namespace(let ns)? = scope.lookup(name) else {
                throw .type("can't assign attribute '\(attribute)' on '\(name)': it is not a namespace", at: location)
            }
            ns.attributes[.string(attribute)] = value
        case .tuple(let targets):
            let items = try iterate(value, at: location)
            guard items.count == targets.count else {
                let which = items.count < targets.count ? "not enough" : "too many"
                throw .type("\(which) values to unpack (expected \(targets.count), got \(items.count))", at: location)
            }
            for (t, v) in zip(targets, items) { try assign(t, v, in: scope, at: location) }
        }
    }

    /// Python's iteration: list/tuple elements, dict keys, string characters; undefined is empty.
    func iterate(_ value: Value, at location: SourceLocation) throws(TemplateError) -> [Value] {
        switch value {
        case .list(let items), .tuple(let items), .iterator(let items): return items
        case .dict(let d): return d.keys.map(\.value)
        case .loop(let l): return l.items
        case .markup(let s): return s.unicodeScalars.map { .markup(String($0)) }
        case .string(let s): return s.unicodeScalars.map { .string(String($0)) }
        case .undefined: return []
        default:
            throw .type("'\(value.typeName)' object is not iterable", at: location)
        }
    }

    /// `str(value)` as output prints it.
    func string(_ value: Value, at location: SourceLocation) throws(TemplateError) -> String {
        do {
            return try PythonFormat.str(value)
        } catch {
            throw .limitExceeded("value nests deeper than \(PythonFormat.maxDepth) levels", at: location)
        }
    }
}

extension Renderer {
    /// `repr(value)`, for `%r` and `!r`.
    func repr(_ value: Value, at location: SourceLocation) throws(TemplateError) -> String {
        do {
            return try PythonFormat.repr(value, depth: 0)
        } catch {
            throw .limitExceeded("value nests deeper than \(PythonFormat.maxDepth) levels", at: location)
        }
    }
}
