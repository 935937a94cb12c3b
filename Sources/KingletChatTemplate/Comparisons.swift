/// Python's `==`, ordering and `in` on template values. Comparing containers walks them, so each
/// comparison counts the elements it visits (`work`) and gives up once past `limit`: the renderer
/// charges the work to the step budget, and `[big] * n == [big] * n` cannot run for hours.
extension Value {
    /// Python `==`. Returns false early once `work` passes `limit` (the caller then fails on steps).
    func pyEquals(_ otherValue: Value, work: inout Int, limit: Int) -> Bool {
        work += 1
        if work > limit { return false }
        let me = plain, other = otherValue.plain
        if let a = me.number, let b = other.number {
            if case .int(let x) = a, case .int(let y) = b { return x == y }
            return a.double == b.double
        }
        switch (me, other) {
        case (.undefined, .undefined), (.none, .none): return true
        case (.string(let a), .string(let b)):
            work += min(a.utf8.count, b.utf8.count) / Renderer.bytesPerStep
            return a.unicodeScalars.elementsEqual(b.unicodeScalars)
        case (.list(let a), .list(let b)), (.tuple(let a), .tuple(let b)):
            guard a.count == b.count else { return false }
            for (x, y) in zip(a, b) where !x.pyEquals(y, work: &work, limit: limit) { return false }
            return true
        case (.dict(let a), .dict(let b)):
            guard a.count == b.count else { return false }
            for (k, v) in a.items {
                guard let w = b[k], v.pyEquals(w, work: &work, limit: limit) else { return false }
            }
            return true
        case (.namespace(let a), .namespace(let b)): return a === b
        default: return false
        }
    }

    /// Python ordering: -1, 0, 1; nil when the types cannot be ordered (TypeError) or when `work`
    /// passed `limit`.
    func pyCompare(_ otherValue: Value, work: inout Int, limit: Int) -> Int? {
        work += 1
        if work > limit { return nil }
        let me = plain, other = otherValue.plain
        if let a = me.number, let b = other.number {
            if case .int(let x) = a, case .int(let y) = b { return x < y ? -1 : (x == y ? 0 : 1) }
            let x = a.double, y = b.double
            if x.isNaN || y.isNaN { return nil }
            return x < y ? -1 : (x == y ? 0 : 1)
        }
        switch (me, other) {
        case (.string(let a), .string(let b)):
            work += min(a.utf8.count, b.utf8.count) / Renderer.bytesPerStep
            if a.unicodeScalars.elementsEqual(b.unicodeScalars) { return 0 }
            return a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) ? -1 : 1
        case (.list(let a), .list(let b)), (.tuple(let a), .tuple(let b)):
            for (x, y) in zip(a, b) where !x.pyEquals(y, work: &work, limit: limit) {
                return x.pyCompare(y, work: &work, limit: limit)
            }
            return a.count < b.count ? -1 : (a.count == b.count ? 0 : 1)
        default:
            return nil
        }
    }
}

extension Renderer {
    /// Python `a == b`, paid for.
    func equal(_ a: Value, _ b: Value, at location: SourceLocation) throws(TemplateError) -> Bool {
        var work = 0
        let result = a.pyEquals(b, work: &work, limit: budget.maxSteps - steps)
        try step(work, at: location)
        return result
    }

    /// Python ordering of `a` and `b`, paid for; nil when Python would raise TypeError.
    func order(_ a: Value, _ b: Value, at location: SourceLocation) throws(TemplateError) -> Int? {
        var work = 0
        let result = a.pyCompare(b, work: &work, limit: budget.maxSteps - steps)
        try step(work, at: location)
        return result
    }

    func compare(_ op: CompareOperator, _ left: Value, _ right: Value, at location: SourceLocation) throws(TemplateError) -> Bool {
        switch op {
        case .eq: return try equal(left, right, at: location)
        case .ne: return !(try equal(left, right, at: location))
        case .isIn: return try contains(right, left, at: location)
        case .notIn: return !(try contains(right, left, at: location))
        case .lt, .le, .gt, .ge:
            for v in [left, right] { if case .undefined(let why) = v { throw .undefined(why, at: location) } }
            guard let c = try order(left, right, at: location) else {
                throw .type("'\(op.rawValue)' not supported between instances of '\(left.typeName)' and '\(right.typeName)'", at: location)
            }
            switch op {
            case .lt: return c < 0
            case .le: return c <= 0
            case .gt: return c > 0
            default: return c >= 0
            }
        }
    }

    /// Python `needle in container`.
    func contains(_ containerValue: Value, _ needleValue: Value, at location: SourceLocation) throws(TemplateError) -> Bool {
        let container = containerValue.plain, needle = needleValue.plain
        switch container {
        case .string(let s):
            guard case .string(let n) = needle else {
                throw .type("'in <string>' requires string as left operand, not \(needle.typeName)", at: location)
            }
            try scan(s, at: location)
            try scan(n, at: location)
            return ScalarSearch(n).first(in: Array(s.unicodeScalars)) != nil
        case .list(let items), .tuple(let items), .iterator(let items):
            for item in items where try equal(item, needle, at: location) { return true }
            return false
        case .dict(let d):
            if let k = DictKey(needle) { return d[k] != nil }
            if needle.isDict || needle.isList { throw .type("unhashable type: '\(needle.typeName)'", at: location) }
            return false
        case .undefined:
            return false
        default:
            throw .type("argument of type '\(container.typeName)' is not iterable", at: location)
        }
    }
}
