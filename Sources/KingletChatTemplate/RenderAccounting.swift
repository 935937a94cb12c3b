/// How a render spends its `RenderBudget`. Every check happens before the work it pays for, so a
/// hostile template is stopped before it allocates or loops, not after.
///
/// Step prices: 1 per statement, expression node and comparison; `frameSteps` per loop iteration
/// and macro call (each makes a new scope); 1 per element of a collection built or scanned; 1 per
/// `bytesPerStep` bytes of text built or scanned. In a release build a step takes about 0.1 µs,
/// so the default 10 million steps are about a second.
extension Renderer {
    /// Bytes of text that cost one step (a step of evaluation costs about as much as copying these).
    static let bytesPerStep = 16
    /// The price of a loop iteration or a macro call: a new scope costs a few steps' time.
    static let frameSteps = 4
    /// Steps between two reads of the clock.
    static let clockInterval = 4096

    /// Charges `n` steps.
    @inline(__always)
    func step(_ n: Int = 1, at location: SourceLocation) throws(TemplateError) {
        let (total, overflow) = steps.addingReportingOverflow(n)
        steps = overflow ? .max : total
        if steps > budget.maxSteps {
            throw .budgetExceeded(.steps, limit: budget.maxSteps, reached: steps, at: location)
        }
        if steps >= nextClockCheck { try checkClock(at: location) }
    }

    private func checkClock(at location: SourceLocation) throws(TemplateError) {
        nextClockCheck = Renderer.size(steps, plus: Renderer.clockInterval)
        guard let limit = budget.timeLimit else { return }
        let elapsed = ContinuousClock.now - started
        if elapsed > limit {
            throw .budgetExceeded(.time, limit: Renderer.milliseconds(limit), reached: Renderer.milliseconds(elapsed), at: location)
        }
    }

    private static func milliseconds(_ d: Duration) -> Int {
        let (seconds, attoseconds) = d.components
        return Int(clamping: seconds) &* 1000 &+ Int(attoseconds / 1_000_000_000_000_000)
    }

    /// One level deeper (a statement, an expression node): charges a step and checks `maxDepth`.
    /// The caller undoes it with `depth -= 1` once the level is done.
    @inline(__always)
    func enter(at location: SourceLocation) throws(TemplateError) {
        try step(at: location)
        try stack.check(at: location)
        if depth >= budget.maxDepth {
            throw .budgetExceeded(.depth, limit: budget.maxDepth, reached: depth + 1, at: location)
        }
        depth += 1
    }

    /// Appends rendered text within `maxOutputBytes`.
    func emit(_ text: String, into out: inout String, at location: SourceLocation) throws(TemplateError) {
        let total = out.utf8.count + text.utf8.count
        if total > budget.maxOutputBytes {
            throw .budgetExceeded(.outputBytes, limit: budget.maxOutputBytes, reached: total, at: location)
        }
        try step(text.utf8.count / Renderer.bytesPerStep, at: location)
        out += text
    }

    /// Charges for reading a string once.
    @inline(__always)
    func scan(_ s: String, at location: SourceLocation) throws(TemplateError) {
        try step(s.utf8.count / Renderer.bytesPerStep, at: location)
    }

    /// Checks and pays for a string of `bytes` UTF-8 bytes about to be built (`Int.max` when the
    /// size itself overflowed).
    func reserveString(_ bytes: Int, at location: SourceLocation) throws(TemplateError) {
        try checkStringSize(bytes, at: location)
        try step(bytes / Renderer.bytesPerStep, at: location)
    }

    /// Checks a string size without paying (for sizes summed up piece by piece).
    func checkStringSize(_ bytes: Int, at location: SourceLocation) throws(TemplateError) {
        if bytes > budget.maxStringBytes || bytes < 0 {
            throw .budgetExceeded(.stringBytes, limit: budget.maxStringBytes, reached: bytes < 0 ? .max : bytes, at: location)
        }
    }

    /// Checks and pays for a collection of `count` elements about to be built.
    func reserveElements(_ count: Int, at location: SourceLocation) throws(TemplateError) {
        if count > budget.maxCollectionCount || count < 0 {
            throw .budgetExceeded(.collectionCount, limit: budget.maxCollectionCount, reached: count < 0 ? .max : count,
                                  at: location)
        }
        try step(count, at: location)
    }

    /// `a * b` for sizes, `Int.max` when it overflows (then any reserve fails).
    static func size(_ a: Int, times b: Int) -> Int {
        let (r, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? .max : r
    }

    /// `a + b` for sizes, `Int.max` when it overflows.
    static func size(_ a: Int, plus b: Int) -> Int {
        let (r, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : r
    }

    /// Checks and pays for a value a builtin has just made (a string or a collection): the
    /// blow-ups are refused before they are built; this keeps every result within the budget.
    @discardableResult
    func produced(_ value: Value, at location: SourceLocation) throws(TemplateError) -> Value {
        switch value {
        case .string(let s), .markup(let s):
            if s.utf8.count > budget.maxStringBytes {
                throw .budgetExceeded(.stringBytes, limit: budget.maxStringBytes, reached: s.utf8.count, at: location)
            }
            try scan(s, at: location)
        case .list(let items), .tuple(let items), .iterator(let items):
            try reserveElements(items.count, at: location)
        case .dict(let d):
            try reserveElements(d.count, at: location)
        default:
            break
        }
        return value
    }

    /// Checks that `value` nests at most `maxDepth` levels, paying one step per element visited.
    /// Lists, tuples, dicts, loop items and bound methods are followed; namespaces and macros are
    /// not (`tearDown` breaks their chains, and nothing recurses through them).
    func checkNesting(_ value: Value, at location: SourceLocation) throws(TemplateError) {
        var visited = 0
        let within = Renderer.nests(value, within: budget.maxDepth, visited: &visited)
        try step(visited, at: location)
        if !within {
            throw .budgetExceeded(.depth, limit: budget.maxDepth, reached: budget.maxDepth + 1, at: location)
        }
    }

    private static func nests(_ value: Value, within levels: Int, visited: inout Int) -> Bool {
        func all(_ items: [Value], _ visited: inout Int) -> Bool {
            guard levels > 0 else { return false }
            visited += items.count
            for item in items where !nests(item, within: levels - 1, visited: &visited) { return false }
            return true
        }
        switch value {
        case .list(let items), .tuple(let items), .iterator(let items): return items.isEmpty || all(items, &visited)
        case .dict(let d): return d.isEmpty || all(d.values, &visited)
        case .loop(let l): return l.items.isEmpty || all(l.items, &visited)
        case .callable(.method(let receiver, _)): return all([receiver], &visited)
        default: return true
        }
    }
}
