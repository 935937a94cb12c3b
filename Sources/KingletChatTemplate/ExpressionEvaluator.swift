/// Expression evaluation: names, literals, attribute and item access, calls, filters and tests.
extension Renderer {
    func evaluate(_ expr: Expr, in scope: Scope) throws(TemplateError) -> Value {
        try enter(at: expr.location)
        defer { depth -= 1 }
        return try evaluateNode(expr, in: scope)
    }

    private func evaluateNode(_ expr: Expr, in scope: Scope) throws(TemplateError) -> Value {
        switch expr {
        case .literal(let literal, _):
            return Value.from(literal)
        case .name(let name, _):
            return scope.lookup(name) ?? .undefined("'\(name)' is undefined")
        case .list(let items, let location):
            return try nested(.list(try evaluateAll(items, in: scope)), at: location)
        case .tuple(let items, let location):
            return try nested(.tuple(try evaluateAll(items, in: scope)), at: location)
        case .dict(let pairs, let location):
            return try nested(.dict(try evaluateDict(pairs, in: scope)), at: location)
        case .attribute(let object, let name, let location):
            return try attribute(of: try evaluate(object, in: scope), name, at: location)
        case .item(let object, let key, let location):
            return try evaluateItem(object, key, in: scope, at: location)
        case .slice(_, _, _, let location):
            throw .syntax("a slice is only valid inside brackets", at: location)
        case .call(let callee, let args, let location):
            return try callExpression(callee, args, extra: [], in: scope, at: location)
        case .filter:
            return try applyFilterChain(expr, to: .undefined("no value"), in: scope)
        case .test(let value, let name, let args, let location):
            let subject = try evaluate(value, in: scope)
            let (positional, keyword) = try evaluateArguments(args, in: scope)
            return .bool(try applyTest(name, subject, positional, keyword, at: location))
        case .negate(let operand, let location):
            return try negate(try evaluate(operand, in: scope), at: location)
        case .plus(let operand, let location):
            return try unaryPlus(try evaluate(operand, in: scope), at: location)
        case .not(let operand, _):
            return .bool(!(try evaluate(operand, in: scope).truthy))
        case .binary(let op, let left, let right, let location):
            return try binary(op, try evaluate(left, in: scope), try evaluate(right, in: scope), at: location)
        case .and(let left, let right, _):
            let l = try evaluate(left, in: scope)
            return l.truthy ? try evaluate(right, in: scope) : l
        case .or(let left, let right, _):
            let l = try evaluate(left, in: scope)
            return l.truthy ? l : try evaluate(right, in: scope)
        case .compare(let first, let operations, let location):
            var left = try evaluate(first, in: scope)
            for (op, rightExpr) in operations {
                let right = try evaluate(rightExpr, in: scope)
                if !(try compare(op, left, right, at: location)) { return .bool(false) }
                left = right
            }
            return .bool(true)
        case .concat(let parts, let location):
            var texts: [String] = []
            var bytes = 0
            for part in parts {
                let text = try string(try evaluate(part, in: scope), at: location)
                bytes = Renderer.size(bytes, plus: text.utf8.count)
                try checkStringSize(bytes, at: location)
                texts.append(text)
            }
            try reserveString(bytes, at: location)
            return .string(texts.joined())
        case .conditional(let test, let then, let otherwise, _):
            if try evaluate(test, in: scope).truthy { return try evaluate(then, in: scope) }
            guard let otherwise else { return .undefined("the inline if expression evaluated to false and no else section was defined") }
            return try evaluate(otherwise, in: scope)
        }
    }

    /// A container the template wrote as a literal: it may wrap values that are deep already.
    private func nested(_ value: Value, at location: SourceLocation) throws(TemplateError) -> Value {
        try checkNesting(value, at: location)
        return value
    }

    func evaluateAll(_ exprs: [Expr], in scope: Scope) throws(TemplateError) -> [Value] {
        var values: [Value] = []
        values.reserveCapacity(exprs.count)
        for e in exprs { values.append(try evaluate(e, in: scope)) }
        return values
    }

    private func evaluateDict(_ pairs: [(key: Expr, value: Expr)], in scope: Scope) throws(TemplateError) -> ValueDict {
        var dict = ValueDict()
        for pair in pairs {
            let key = try evaluate(pair.key, in: scope)
            guard let k = DictKey(key) else {
                throw .type("unhashable type: '\(key.typeName)'", at: pair.key.location)
            }
            dict[k] = try evaluate(pair.value, in: scope)
        }
        return dict
    }

    func evaluateArguments(_ args: Arguments, in scope: Scope) throws(TemplateError) -> ([Value], [(String, Value)]) {
        let positional = try evaluateAll(args.positional, in: scope)
        var keyword: [(String, Value)] = []
        for (name, expr) in args.keyword { keyword.append((name, try evaluate(expr, in: scope))) }
        return (positional, keyword)
    }

    // MARK: attribute and item access (jinja2's sandboxed getattr/getitem)

    /// `object.name`: attributes (methods) first, then keys; a miss is undefined, not an error,
    /// except on an undefined object.
    func attribute(of value: Value, _ name: String, at location: SourceLocation) throws(TemplateError) -> Value {
        let object = value.plain
        switch object {
        case .undefined(let why):
            throw .undefined(why, at: location)
        case .dict(let d):
            if Methods.has(object, name) { return .callable(.method(object, name)) }
            return d[name] ?? .undefined("'dict object' has no attribute '\(name)'")
        case .namespace(let ns):
            return ns.attributes[name] ?? .undefined("'Namespace' object has no attribute '\(name)'")
        case .loop(let loop):
            return loop.attribute(name) ?? .undefined("'LoopContext' object has no attribute '\(name)'")
        default:
            if Methods.has(object, name) { return .callable(.method(object, name)) }
            return .undefined("'\(object.typeName) object' has no attribute '\(name)'")
        }
    }

    private func evaluateItem(_ objectExpr: Expr, _ keyExpr: Expr, in scope: Scope,
                              at location: SourceLocation) throws(TemplateError) -> Value {
        let object = try evaluate(objectExpr, in: scope)
        if case .undefined(let why) = object { throw .undefined(why, at: location) }
        if case .slice(let start, let stop, let step, let sliceLocation) = keyExpr {
            func bound(_ e: Expr?) throws(TemplateError) -> Int? {
                guard let e else { return nil }
                switch try evaluate(e, in: scope) {
                case .none: return nil
                case .int(let i): return i
                case .bool(let b): return b ? 1 : 0
                case let other:
                    throw .type("slice indices must be integers or None, not \(other.typeName)", at: sliceLocation)
                }
            }
            return try slice(object, try bound(start), try bound(stop), try bound(step), at: location)
        }
        return try item(of: object, try evaluate(keyExpr, in: scope), at: location)
    }

    /// `object[key]`: keys and indexes first, then attributes; a miss is undefined.
    func item(of value: Value, _ keyValue: Value, at location: SourceLocation) throws(TemplateError) -> Value {
        let object = value.plain, key = keyValue.plain
        switch (object, key) {
        case (.undefined(let why), _):
            throw .undefined(why, at: location)
        case (.dict(let d), _):
            if let k = DictKey(key), let v = d[k] { return v }
        case (.list(let items), _), (.tuple(let items), _):
            if let i = key.asIndex, let v = Renderer.element(items, i) { return v }
        case (.string(let s), _):
            if let i = key.asIndex {
                try scan(s, at: location)
                if let v = Renderer.scalar(s, i) { return .string(String(v)) }
            }
        default:
            break
        }
        if case .string(let name) = key, !(object.isDict) { return try attribute(of: object, name, at: location) }
        if case .string(let name) = key, Methods.has(object, name) { return .callable(.method(object, name)) }
        return .undefined("'\(object.typeName) object' has no attribute or item \(PythonFormat.stringRepr(PythonFormat.preview(key)))")
    }

    static func element<T>(_ items: [T], _ index: Int) -> T? {
        let i = index < 0 ? items.count + index : index
        return items.indices.contains(i) ? items[i] : nil
    }

    /// `s[index]` on Unicode scalars, walking only as far as the index.
    static func scalar(_ s: String, _ index: Int) -> Unicode.Scalar? {
        let scalars = s.unicodeScalars
        if index >= 0 { return scalars.dropFirst(index).first }
        var i = scalars.endIndex
        var remaining = index.magnitude
        while remaining > 0 {
            guard i > scalars.startIndex else { return nil }
            i = scalars.index(before: i)
            remaining -= 1
        }
        return scalars[i]
    }

    /// Python slicing of lists, tuples and strings.
    func slice(_ object: Value, _ start: Int?, _ stop: Int?, _ step: Int?, at location: SourceLocation) throws(TemplateError) -> Value {
        if step == 0 { throw .type("slice step cannot be zero", at: location) }
        switch object {
        case .markup(let s):
            if case .string(let sliced) = try slice(.string(s), start, stop, step, at: location) { return .markup(sliced) }
            return .markup(s)
        case .list(let items):
            try self.step(items.count, at: location)
            return .list(Renderer.slice(items, start, stop, step ?? 1))
        case .tuple(let items):
            try self.step(items.count, at: location)
            return .tuple(Renderer.slice(items, start, stop, step ?? 1))
        case .string(let s):
            try scan(s, at: location)
            var out = String.UnicodeScalarView()
            out.append(contentsOf: Renderer.slice(Array(s.unicodeScalars), start, stop, step ?? 1))
            return .string(String(out))
        default:
            return .undefined("'\(object.typeName)' object is not subscriptable")
        }
    }

    /// `slice.indices(len)` then the selected elements.
    static func slice<T>(_ items: [T], _ start: Int?, _ stop: Int?, _ step: Int) -> [T] {
        let n = items.count
        func clamp(_ v: Int?, _ defaultValue: Int, low: Int, high: Int) -> Int {
            guard var v else { return defaultValue }
            if v < 0 { v += n }
            return min(max(v, low), high)
        }
        var out: [T] = []
        // `i + step` may overflow with an extreme step: that ends the slice, as it would in Python.
        if step > 0 {
            var i = clamp(start, 0, low: 0, high: n)
            let end = clamp(stop, n, low: 0, high: n)
            while i < end {
                out.append(items[i])
                let (next, overflow) = i.addingReportingOverflow(step)
                if overflow { break }
                i = next
            }
        } else {
            var i = clamp(start, n - 1, low: -1, high: n - 1)
            let end = clamp(stop, -1, low: -1, high: n - 1)
            while i > end {
                out.append(items[i])
                let (next, overflow) = i.addingReportingOverflow(step)
                if overflow { break }
                i = next
            }
        }
        return out
    }

    // MARK: calls

    func callExpression(_ callee: Expr, _ args: Arguments, extra: [(String, Value)], in scope: Scope,
                        at location: SourceLocation) throws(TemplateError) -> Value {
        let function = try evaluate(callee, in: scope)
        var (positional, keyword) = try evaluateArguments(args, in: scope)
        keyword.append(contentsOf: extra)
        return try call(function, positional, keyword, at: location)
    }

    func call(_ function: Value, _ positional: [Value], _ keyword: [(String, Value)],
              at location: SourceLocation) throws(TemplateError) -> Value {
        switch function {
        case .callable(.macro(let definition, let scope)):
            return try callMacro(definition, scope, positional, keyword, at: location)
        case .callable(.global(let name)):
            return try produced(try callGlobal(name, positional, keyword, at: location), at: location)
        case .callable(.method(let receiver, let name)):
            return try produced(try callMethod(receiver.plain, name, positional, keyword, at: location), at: location)
        case .callable(.loopCycle(let index)):
            guard !positional.isEmpty else { throw .type("no items for cycling given", at: location) }
            return positional[index % positional.count]
        case .undefined(let why):
            throw .undefined(why, at: location)
        default:
            throw .type("'\(function.typeName)' object is not callable", at: location)
        }
    }

    private func callMacro(_ macro: MacroDefinition, _ definitionScope: Scope, _ positional: [Value],
                           _ keyword: [(String, Value)], at location: SourceLocation) throws(TemplateError) -> Value {
        if callDepth >= budget.maxCallDepth {
            throw .budgetExceeded(.callDepth, limit: budget.maxCallDepth, reached: callDepth + 1, at: location)
        }
        try enter(at: location)
        try step(Renderer.frameSteps, at: location)
        callDepth += 1
        defer {
            callDepth -= 1
            depth -= 1
        }
        guard positional.count <= macro.parameters.count else {
            throw .type("macro '\(macro.name)' takes not more than \(macro.parameters.count) argument(s)", at: location)
        }
        let scope = Scope(parent: definitionScope)
        var bound = Set<String>()
        for (name, value) in zip(macro.parameters, positional) {
            scope.set(name, value)
            bound.insert(name)
        }
        for (name, value) in keyword {
            if name == "caller" && !macro.parameters.contains("caller") {
                scope.set("caller", value)
                continue
            }
            guard macro.parameters.contains(name) else {
                throw .type("macro '\(macro.name)' takes no keyword argument '\(name)'", at: location)
            }
            guard !bound.contains(name) else {
                throw .type("macro '\(macro.name)' got multiple values for argument '\(name)'", at: location)
            }
            scope.set(name, value)
            bound.insert(name)
        }
        let firstDefault = macro.parameters.count - macro.defaults.count
        for (i, name) in macro.parameters.enumerated() where !bound.contains(name) {
            if i >= firstDefault {
                scope.set(name, try evaluate(macro.defaults[i - firstDefault], in: scope))
            } else {
                scope.set(name, .undefined("parameter '\(name)' was not provided"))
            }
        }
        var out = ""
        _ = try execute(macro.body, in: scope, into: &out)
        return .string(out)
    }
}

extension Value {
    /// An integer index (bools count, as in Python).
    var asIndex: Int? {
        switch self {
        case .int(let i): return i
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    var isList: Bool {
        if case .list = self { return true }
        return false
    }

    var isDict: Bool {
        if case .dict = self { return true }
        return false
    }
}
