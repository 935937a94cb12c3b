import Foundation

/// Executes statements for one render. Expressions are in `ExpressionEvaluator.swift`,
/// operators in `Operators.swift`, filters/tests/methods/globals in their own files.
final class Renderer {
    let budget: RenderBudget
    let now: Date
    let timeZone: TimeZone
    /// What the render has spent so far (see `RenderAccounting.swift`).
    var steps = 0
    var depth = 0
    var callDepth = 0
    var nextClockCheck = Renderer.clockInterval
    let started = ContinuousClock.now
    let stack = StackGuard()
    /// Scopes captured by macros and the namespaces the template made. Their references can form
    /// cycles (a macro sees its own scope) and arbitrarily long chains (a namespace holding the
    /// previous iteration's namespace), which would leak or overflow the stack when released;
    /// `tearDown` breaks them when the render ends.
    var capturedScopes: [Scope] = []
    var namespaces: [Namespace] = []

    init(budget: RenderBudget, now: Date, timeZone: TimeZone) {
        self.budget = budget
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
        capturedScopes.append(scope)
        defer { tearDown() }
        var out = ""
        _ = try execute(nodes, in: scope, into: &out)
        return out
    }

    /// Empties every captured scope and namespace while all of them are still held here, so
    /// each is released on its own, never as one long recursive chain.
    private func tearDown() {
        for scope in capturedScopes { scope.clear() }
        for ns in namespaces { ns.attributes = ValueDict() }
        capturedScopes = []
        namespaces = []
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
        try enter(at: node.location)
        defer { depth -= 1 }
        switch node {
        case .text(let text, let location):
            try emit(text, into: &out, at: location)
        case .output(let expr):
            try emit(try string(try evaluate(expr, in: scope), at: expr.location), into: &out, at: expr.location)
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
            capturedScopes.append(scope)
            scope.set(definition.name, .callable(.macro(definition, scope)))
        case .callBlock(let call, let caller, let location):
            guard case .call(let callee, let args, _) = call else { break }
            capturedScopes.append(scope)
            let macro = Value.callable(.macro(caller, scope))
            let result = try callExpression(callee, args, extra: [("caller", macro)], in: scope, at: location)
            try emit(try string(result, at: location), into: &out, at: location)
        case .filterBlock(let filter, let body, _):
            var text = ""
            _ = try execute(body, in: scope, into: &text)
            let filtered = try applyFilterChain(filter, to: .string(text), in: scope)
            try emit(try string(filtered, at: filter.location), into: &out, at: filter.location)
        case .with(let assignments, let body, _):
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
                try step(Renderer.frameSteps, at: loop.location)
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
            try step(Renderer.frameSteps, at: loop.location)
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
            // Namespaces carry values from one loop iteration to the next: the one place a value
            // can grow deeper without bound.
            try checkNesting(value, at: location)
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
    /// Charges one step per element: every caller goes on to visit them.
    func iterate(_ value: Value, at location: SourceLocation) throws(TemplateError) -> [Value] {
        switch value {
        case .list(let items), .tuple(let items), .iterator(let items):
            try step(items.count, at: location)
            return items
        case .dict(let d):
            try step(d.count, at: location)
            return d.keys.map(\.value)
        case .loop(let l):
            try step(l.items.count, at: location)
            return l.items
        case .markup(let s), .string(let s):
            try scan(s, at: location)
            let count = s.unicodeScalars.count
            try reserveElements(count, at: location)
            if case .markup = value { return s.unicodeScalars.map { .markup(String($0)) } }
            return s.unicodeScalars.map { .string(String($0)) }
        case .undefined: return []
        default:
            throw .type("'\(value.typeName)' object is not iterable", at: location)
        }
    }

    /// `str(value)` as output prints it, within the string budget.
    func string(_ value: Value, at location: SourceLocation) throws(TemplateError) -> String {
        switch value {
        case .string(let s), .markup(let s): return s
        case .undefined: return ""
        default: break
        }
        let s: String
        do {
            s = try PythonFormat.str(value, maxBytes: budget.maxStringBytes)
        } catch {
            throw formatFailure(error, at: location)
        }
        try scan(s, at: location)
        return s
    }

    func formatFailure(_ error: FormatError, at location: SourceLocation) -> TemplateError {
        switch error {
        case .tooDeep:
            return .budgetExceeded(.depth, limit: PythonFormat.maxDepth, reached: PythonFormat.maxDepth + 1, at: location)
        case .tooLong(let bytes):
            return .budgetExceeded(.stringBytes, limit: budget.maxStringBytes, reached: bytes, at: location)
        }
    }
}

extension Renderer {
    /// `repr(value)`, for `%r` and `!r`.
    func repr(_ value: Value, at location: SourceLocation) throws(TemplateError) -> String {
        let s: String
        do {
            s = try PythonFormat.repr(value, maxBytes: budget.maxStringBytes)
        } catch {
            throw formatFailure(error, at: location)
        }
        try scan(s, at: location)
        return s
    }
}
