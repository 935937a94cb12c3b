/// Expression grammar, lowest precedence first (jinja2's `parse_*` chain):
/// conditional `a if b else c` → `or` → `and` → `not` → comparisons and `in` →
/// `+ -` → `~` → `* / // %` → `**` → unary `- +` → primary with postfix `.x [i] (args)`
/// and the filter chain `| f`, `is t`.
extension Parser {
    /// jinja2's `parse_tuple`: an expression, or a tuple when commas separate several.
    mutating func parseTuple(withCondition: Bool = true, extraEnd: [String] = [],
                             explicitParentheses: Bool = false) throws(TemplateError) -> Expr {
        let location = current.location
        var items: [Expr] = []
        var isTuple = false
        while true {
            if !items.isEmpty { try expectOp(",") }
            if isTupleEnd(extraEnd) { break }
            items.append(withCondition ? try parseExpression() : try parseOr())
            if current.isOp(",") { isTuple = true } else { break }
        }
        if !isTuple {
            if let only = items.first { return only }
            if !explicitParentheses {
                throw .syntax("Expected an expression, got '\(current.describe)'", at: current.location)
            }
        }
        return .tuple(items, location)
    }

    func isTupleEnd(_ extraEnd: [String]) -> Bool {
        switch current.kind {
        case .variableEnd, .blockEnd, .eof: return true
        case .op(let o) where o == ")": return true
        case .name(let n) where extraEnd.contains(n): return true
        default: return false
        }
    }

    mutating func parseExpression() throws(TemplateError) -> Expr {
        try enter()
        defer { leave() }
        let location = current.location
        var expr = try parseOr()
        var chain = expr.depth
        while skipName("if") {
            let test = try parseOr()
            let otherwise = skipName("else") ? try parseExpression() : nil
            expr = .conditional(test: test, then: expr, otherwise: otherwise, location)
            try link(expr, &chain)
        }
        return expr
    }

    mutating func parseOr() throws(TemplateError) -> Expr {
        try parseChain({ p throws(TemplateError) in try p.parseAnd() }) { p in p.skipName("or") ? { .or($0, $1, $2) } : nil }
    }

    mutating func parseAnd() throws(TemplateError) -> Expr {
        try parseChain({ p throws(TemplateError) in try p.parseNot() }) { p in p.skipName("and") ? { .and($0, $1, $2) } : nil }
    }

    mutating func parseNot() throws(TemplateError) -> Expr {
        if current.isName("not") {
            let location = current.location
            advance()
            try enter()
            defer { leave() }
            return .not(try parseNot(), location)
        }
        return try parseCompare()
    }

    mutating func parseCompare() throws(TemplateError) -> Expr {
        let location = current.location
        let first = try parseMath1()
        var operations: [(CompareOperator, Expr)] = []
        while true {
            if case .op(let o) = current.kind, let op = CompareOperator(rawValue: o), op != .isIn, op != .notIn {
                advance()
                operations.append((op, try parseMath1()))
            } else if skipName("in") {
                operations.append((.isIn, try parseMath1()))
            } else if current.isName("not") && lookahead.isName("in") {
                advance(); advance()
                operations.append((.notIn, try parseMath1()))
            } else {
                break
            }
        }
        return operations.isEmpty ? first : .compare(first, operations, location)
    }

    mutating func parseMath1() throws(TemplateError) -> Expr {
        try parseChain({ p throws(TemplateError) in try p.parseConcat() }) { p in p.takeBinary(["+", "-"]) }
    }

    mutating func parseConcat() throws(TemplateError) -> Expr {
        let location = current.location
        var parts = [try parseMath2()]
        while skipOp("~") { parts.append(try parseMath2()) }
        return parts.count == 1 ? parts[0] : .concat(parts, location)
    }

    mutating func parseMath2() throws(TemplateError) -> Expr {
        try parseChain({ p throws(TemplateError) in try p.parsePow() }) { p in p.takeBinary(["*", "/", "//", "%"]) }
    }

    mutating func parsePow() throws(TemplateError) -> Expr {
        try parseChain({ p throws(TemplateError) in try p.parseUnary() }) { p in p.takeBinary(["**"]) }
    }

    /// One left-associative level, `a op b op c`: `operand` parses the next tighter level, `take`
    /// consumes an operator of this level and gives the node to build, nil where the chain ends.
    /// Every node of the chain carries the location of its first operand.
    private mutating func parseChain(
        _ operand: (inout Parser) throws(TemplateError) -> Expr,
        take: (inout Parser) -> ((Expr, Expr, SourceLocation) -> Expr)?
    ) throws(TemplateError) -> Expr {
        let location = current.location
        var left = try operand(&self)
        var chain = left.depth
        while let node = take(&self) {
            left = node(left, try operand(&self), location)
            try link(left, &chain)
        }
        return left
    }

    /// Consumes an arithmetic operator among `symbols` and gives its `.binary` node; nil for
    /// any other token.
    private mutating func takeBinary(_ symbols: [String]) -> ((Expr, Expr, SourceLocation) -> Expr)? {
        guard case .op(let o) = current.kind, symbols.contains(o), let op = BinaryOperator(rawValue: o) else { return nil }
        advance()
        return { .binary(op, $0, $1, $2) }
    }

    mutating func parseUnary(withFilter: Bool = true) throws(TemplateError) -> Expr {
        try enter()
        defer { leave() }
        let location = current.location
        var node: Expr
        if skipOp("-") {
            node = .negate(try parseUnary(withFilter: false), location)
        } else if skipOp("+") {
            node = .plus(try parseUnary(withFilter: false), location)
        } else {
            node = try parsePrimary()
        }
        node = try parsePostfix(node)
        if withFilter { node = try parseFilterExpression(node) }
        return node
    }

    mutating func parsePrimary() throws(TemplateError) -> Expr {
        let token = current
        let location = token.location
        switch token.kind {
        case .name(let n):
            advance()
            switch n {
            case "true", "True": return .literal(.bool(true), location)
            case "false", "False": return .literal(.bool(false), location)
            case "none", "None": return .literal(.none, location)
            default: return .name(n, location)
            }
        case .string(let s):
            advance()
            var text = s
            while case .string(let more) = current.kind {
                text += more
                advance()
            }
            return .literal(.string(text), location)
        case .integer(let i):
            advance()
            return .literal(.int(i), location)
        case .float(let d):
            advance()
            return .literal(.float(d), location)
        case .op("("):
            advance()
            let inner = try parseTuple(explicitParentheses: true)
            try expectOp(")")
            return inner
        case .op("["):
            return try parseList()
        case .op("{"):
            return try parseDict()
        default:
            throw .syntax("unexpected '\(token.describe)'", at: location)
        }
    }

    mutating func parseList() throws(TemplateError) -> Expr {
        let location = try expectOp("[").location
        var items: [Expr] = []
        while !current.isOp("]") {
            if !items.isEmpty { try expectOp(",") }
            if current.isOp("]") { break }
            items.append(try parseExpression())
        }
        try expectOp("]")
        return .list(items, location)
    }

    mutating func parseDict() throws(TemplateError) -> Expr {
        let location = try expectOp("{").location
        var items: [(key: Expr, value: Expr)] = []
        while !current.isOp("}") {
            if !items.isEmpty { try expectOp(",") }
            if current.isOp("}") { break }
            let key = try parseExpression()
            try expectOp(":")
            items.append((key, try parseExpression()))
        }
        try expectOp("}")
        return .dict(items, location)
    }

    mutating func parsePostfix(_ start: Expr) throws(TemplateError) -> Expr {
        var node = start
        var chain = node.depth
        while true {
            if current.isOp(".") || current.isOp("[") {
                node = try parseSubscript(node)
            } else if current.isOp("(") {
                node = try parseCall(node)
            } else {
                return node
            }
            try link(node, &chain)
        }
    }

    mutating func parseFilterExpression(_ start: Expr) throws(TemplateError) -> Expr {
        var node = start
        var chain = node.depth
        while true {
            if current.isOp("|") {
                node = try parseFilters(on: node, chain: &chain)!
                continue
            } else if current.isName("is") {
                node = try parseTest(node)
            } else if current.isOp("(") {
                node = try parseCall(node)
            } else {
                return node
            }
            try link(node, &chain)
        }
    }

    mutating func parseSubscript(_ node: Expr) throws(TemplateError) -> Expr {
        let token = current
        advance()
        if token.isOp(".") {
            let attr = current
            advance()
            switch attr.kind {
            case .name(let n): return .attribute(node, n, token.location)
            case .integer(let i): return .item(node, .literal(.int(i), attr.location), token.location)
            default: throw .syntax("expected name or number", at: attr.location)
            }
        }
        var args: [Expr] = []
        while !current.isOp("]") {
            if !args.isEmpty { try expectOp(",") }
            args.append(try parseSubscribed())
        }
        try expectOp("]")
        let key = args.count == 1 ? args[0] : .tuple(args, token.location)
        return .item(node, key, token.location)
    }

    /// An index expression or a `start:stop:step` slice.
    mutating func parseSubscribed() throws(TemplateError) -> Expr {
        let location = current.location
        var parts: [Expr?] = []
        if skipOp(":") {
            parts.append(nil)
        } else {
            let node = try parseExpression()
            if !skipOp(":") { return node }
            parts.append(node)
        }
        if current.isOp(":") || current.isOp("]") || current.isOp(",") {
            parts.append(nil)
        } else {
            parts.append(try parseExpression())
        }
        if skipOp(":") {
            parts.append(current.isOp("]") || current.isOp(",") ? nil : try parseExpression())
        } else {
            parts.append(nil)
        }
        return .slice(parts[0], parts[1], parts[2], location)
    }

    mutating func parseArguments() throws(TemplateError) -> Arguments {
        let open = try expectOp("(")
        var args = Arguments()
        var requireComma = false
        while !current.isOp(")") {
            if requireComma {
                try expectOp(",")
                if current.isOp(")") { break }
            }
            if current.isOp("*") || current.isOp("**") {
                throw .unsupported(construct: "'*args'/'**kwargs' in a call", at: current.location)
            }
            if case .name(let key) = current.kind, lookahead.isOp("=") {
                advance(); advance()
                args.keyword.append((key, try parseExpression()))
            } else {
                if !args.keyword.isEmpty {
                    throw .syntax("invalid syntax for function call expression", at: open.location)
                }
                args.positional.append(try parseExpression())
            }
            requireComma = true
        }
        try expectOp(")")
        return args
    }

    mutating func parseCall(_ callee: Expr) throws(TemplateError) -> Expr {
        let location = current.location
        return .call(callee, try parseArguments(), location)
    }

    /// One or more `| name(args)`; with `startInline` the first pipe is absent (`{% filter f %}`).
    mutating func parseFilters(on value: Expr?, startInline: Bool = false) throws(TemplateError) -> Expr? {
        var chain = value?.depth ?? 0
        return try parseFilters(on: value, startInline: startInline, chain: &chain)
    }

    /// `parseFilters` continuing a chain whose depth so far is `chain`.
    mutating func parseFilters(on value: Expr?, startInline: Bool = false, chain: inout Int) throws(TemplateError) -> Expr? {
        var node = value
        var inline = startInline
        while current.isOp("|") || inline {
            if !inline { advance() }
            inline = false
            let location = current.location
            var name = try expectName()
            while skipOp(".") { name += "." + (try expectName()) }
            let args = current.isOp("(") ? try parseArguments() : Arguments()
            let filter = Expr.filter(node, name, args, location)
            try link(filter, &chain)
            node = filter
        }
        return node
    }

    mutating func parseTest(_ value: Expr) throws(TemplateError) -> Expr {
        let location = current.location
        advance()
        let negated = skipName("not")
        var name = try expectName()
        while skipOp(".") { name += "." + (try expectName()) }
        var args = Arguments()
        if current.isOp("(") {
            args = try parseArguments()
        } else if startsTestArgument {
            if current.isName("is") { throw .syntax("You cannot chain multiple tests with is", at: current.location) }
            args.positional = [try parsePostfix(try parsePrimary())]
        }
        let test: Expr = .test(value, name, args, location)
        return negated ? .not(test, location) : test
    }

    /// jinja2 lets a test take one argument without parentheses: `x is divisibleby 3`.
    private var startsTestArgument: Bool {
        switch current.kind {
        case .name(let n): return !["else", "or", "and"].contains(n)
        case .string, .integer, .float: return true
        case .op(let o): return o == "(" || o == "[" || o == "{"
        default: return false
        }
    }
}
