/// Builds the statement tree from tokens, following jinja2's `Parser` (same precedence, same
/// statement forms). Expression parsing lives in `ExpressionParser.swift`.
struct Parser {
    var tokens: [Token]
    var index = 0
    /// Current nesting of expressions and blocks; bounded so a hostile template cannot exhaust the
    /// stack, here or when the tree is validated, rendered and released.
    var depth = 0
    static let maxDepth = 200
    private let stack = StackGuard()

    init(tokens: [Token]) {
        self.tokens = tokens
    }

    static func parse(_ source: String) throws(TemplateError) -> [Node] {
        var parser = Parser(tokens: try Lexer.tokenize(source))
        let nodes = try parser.subparse(endTokens: [])
        try TemplateValidator.validate(nodes)
        return nodes
    }

    // MARK: token stream

    var current: Token { tokens[index] }
    var lookahead: Token { tokens[min(index + 1, tokens.count - 1)] }

    mutating func advance() {
        if index < tokens.count - 1 { index += 1 }
    }

    @discardableResult
    mutating func expectOp(_ symbol: String) throws(TemplateError) -> Token {
        guard current.isOp(symbol) else { throw unexpected(expected: "'\(symbol)'") }
        defer { advance() }
        return current
    }

    mutating func expectName() throws(TemplateError) -> String {
        guard case .name(let n) = current.kind else { throw unexpected(expected: "name") }
        advance()
        return n
    }

    mutating func expectKeyword(_ word: String) throws(TemplateError) {
        guard current.isName(word) else { throw unexpected(expected: "'\(word)'") }
        advance()
    }

    mutating func skipOp(_ symbol: String) -> Bool {
        if current.isOp(symbol) { advance(); return true }
        return false
    }

    mutating func skipName(_ word: String) -> Bool {
        if current.isName(word) { advance(); return true }
        return false
    }

    func unexpected(expected: String) -> TemplateError {
        .syntax("expected \(expected), got '\(current.describe)'", at: current.location)
    }

    mutating func enter() throws(TemplateError) {
        depth += 1
        try stack.check(at: current.location)
        if depth > Parser.maxDepth {
            throw .budgetExceeded(.depth, limit: Parser.maxDepth, reached: depth, at: current.location)
        }
    }

    /// Left-leaning chains (`a + b + c`, `x | f | g`, `x.a[0](1)`) nest without the parser
    /// recursing, so `enter` does not see them: each link adds one level to `chain` (the depth of
    /// the tree built so far) and the whole is held to the same limit.
    mutating func link(_ node: Expr, _ chain: inout Int) throws(TemplateError) {
        if case .not(let test, _) = node, case .test = test {  // `x is not t`: two levels
            chain = 1 + max(chain + 1, test.depthBesidesChain)
        } else {
            chain = max(chain + 1, node.depthBesidesChain)
        }
        if depth + chain > Parser.maxDepth {
            throw .budgetExceeded(.depth, limit: Parser.maxDepth, reached: depth + chain, at: node.location)
        }
    }

    mutating func leave() { depth -= 1 }

    // MARK: statements

    /// Parses nodes until a block tag whose name is in `endTokens` (left as current) or the end.
    mutating func subparse(endTokens: [String]) throws(TemplateError) -> [Node] {
        try enter()
        defer { leave() }
        var body: [Node] = []
        while true {
            let token = current
            switch token.kind {
            case .data(let text):
                body.append(.text(text, token.location))
                advance()
            case .variableBegin:
                advance()
                body.append(.output(try parseTuple()))
                guard case .variableEnd = current.kind else { throw unexpected(expected: "end of print statement") }
                advance()
            case .blockBegin:
                advance()
                if case .name(let n) = current.kind, endTokens.contains(n) { return body }
                body.append(contentsOf: try parseStatement())
                try expectBlockEnd()
            case .eof:
                if !endTokens.isEmpty {
                    let list = endTokens.map { "'\($0)'" }.joined(separator: " or ")
                    throw .syntax("unexpected end of template, expected \(list)", at: token.location)
                }
                return body
            default:
                throw .syntax("unexpected '\(token.describe)'", at: token.location)
            }
        }
    }

    mutating func expectBlockEnd() throws(TemplateError) {
        guard case .blockEnd = current.kind else { throw unexpected(expected: "end of statement block") }
        advance()
    }

    /// `:`? `%}` body up to one of `endTokens`; the end tag's name is left as current.
    mutating func parseBody(until endTokens: [String]) throws(TemplateError) -> [Node] {
        _ = skipOp(":")
        try expectBlockEnd()
        return try subparse(endTokens: endTokens)
    }

    /// Consumes the end tag's name after `parseBody`.
    mutating func dropEndTag() { advance() }

    mutating func parseStatement() throws(TemplateError) -> [Node] {
        let token = current
        guard case .name(let keyword) = token.kind else {
            throw .syntax("tag name expected", at: token.location)
        }
        switch keyword {
        case "if": return [try parseIf()]
        case "for": return [try parseFor()]
        case "set": return [try parseSet()]
        case "macro": return [try parseMacro()]
        case "call": return [try parseCallBlock()]
        case "filter": return [try parseFilterBlock()]
        case "with": return [try parseWith()]
        case "break": advance(); return [.breakLoop(token.location)]
        case "continue": advance(); return [.continueLoop(token.location)]
        case "generation":
            // Hugging Face's assistant-mask extension: renders its body in its own scope.
            advance()
            let body = try parseBody(until: ["endgeneration"])
            dropEndTag()
            return [.with([], body: body, token.location)]
        case "extends", "include", "import", "from", "block", "autoescape", "print", "do", "trans":
            throw .unsupported(construct: "'{% \(keyword) %}'", at: token.location)
        default:
            throw .syntax("Encountered unknown tag '\(keyword)'", at: token.location)
        }
    }

    mutating func parseIf() throws(TemplateError) -> Node {
        advance()
        var branches: [(test: Expr, body: [Node])] = []
        var otherwise: [Node] = []
        while true {
            let test = try parseTuple(withCondition: false)
            let body = try parseBody(until: ["elif", "else", "endif"])
            branches.append((test, body))
            let tag = current
            advance()
            if tag.isName("elif") { continue }
            if tag.isName("else") {
                otherwise = try parseBody(until: ["endif"])
                dropEndTag()
            }
            break
        }
        return .conditional(branches, otherwise: otherwise)
    }

    mutating func parseFor() throws(TemplateError) -> Node {
        let location = current.location
        advance()
        let target = try parseAssignTarget(extraEnd: ["in"], withNamespace: false)
        try expectKeyword("in")
        let iterable = try parseTuple(withCondition: false, extraEnd: ["recursive"])
        var filter: Expr?
        if skipName("if") { filter = try parseExpression() }
        if current.isName("recursive") {
            throw .unsupported(construct: "recursive for loop", at: current.location)
        }
        let body = try parseBody(until: ["endfor", "else"])
        var otherwise: [Node] = []
        let tag = current
        advance()
        if tag.isName("else") {
            otherwise = try parseBody(until: ["endfor"])
            dropEndTag()
        }
        return .forLoop(ForLoop(target: target, iterable: iterable, filter: filter, body: body,
                                otherwise: otherwise, location: location))
    }

    mutating func parseSet() throws(TemplateError) -> Node {
        let location = current.location
        advance()
        let target = try parseAssignTarget(extraEnd: [], withNamespace: true)
        if skipOp("=") {
            return .set(target, try parseTuple(), location)
        }
        var filter: Expr?
        if current.isOp("|") { filter = try parseFilters(on: nil) }
        let body = try parseBody(until: ["endset"])
        dropEndTag()
        return .setBlock(target, filter: filter, body: body, location)
    }

    mutating func parseWith() throws(TemplateError) -> Node {
        let location = current.location
        advance()
        var assignments: [(AssignTarget, Expr)] = []
        while !isBlockEnd {
            if !assignments.isEmpty { try expectOp(",") }
            let target = try parseAssignTarget(extraEnd: [], withNamespace: false)
            try expectOp("=")
            assignments.append((target, try parseExpression()))
        }
        let body = try parseBody(until: ["endwith"])
        dropEndTag()
        return .with(assignments, body: body, location)
    }

    var isBlockEnd: Bool {
        if case .blockEnd = current.kind { return true }
        return false
    }

    mutating func parseSignature() throws(TemplateError) -> (names: [String], defaults: [Expr]) {
        try expectOp("(")
        var names: [String] = []
        var defaults: [Expr] = []
        while !current.isOp(")") {
            if !names.isEmpty { try expectOp(",") }
            let location = current.location
            names.append(try expectName())
            if skipOp("=") {
                defaults.append(try parseExpression())
            } else if !defaults.isEmpty {
                throw .syntax("non-default argument follows default argument", at: location)
            }
        }
        try expectOp(")")
        return (names, defaults)
    }

    mutating func parseMacro() throws(TemplateError) -> Node {
        let location = current.location
        advance()
        let name = try expectName()
        let signature = try parseSignature()
        let body = try parseBody(until: ["endmacro"])
        dropEndTag()
        return .macro(MacroDefinition(name: name, parameters: signature.names, defaults: signature.defaults,
                                      body: body, location: location))
    }

    mutating func parseCallBlock() throws(TemplateError) -> Node {
        let location = current.location
        advance()
        var signature: (names: [String], defaults: [Expr]) = ([], [])
        if current.isOp("(") { signature = try parseSignature() }
        let call = try parseExpression()
        guard case .call = call else { throw .syntax("expected call", at: location) }
        let body = try parseBody(until: ["endcall"])
        dropEndTag()
        let caller = MacroDefinition(name: "caller", parameters: signature.names, defaults: signature.defaults,
                                     body: body, location: location)
        return .callBlock(call: call, caller: caller, location)
    }

    mutating func parseFilterBlock() throws(TemplateError) -> Node {
        let location = current.location
        advance()
        guard let filter = try parseFilters(on: nil, startInline: true) else {
            throw unexpected(expected: "filter name")
        }
        let body = try parseBody(until: ["endfilter"])
        dropEndTag()
        return .filterBlock(filter, body: body, location)
    }

    /// A name, a tuple of names (`k, v`), or with `withNamespace` a `ns.attr` reference.
    mutating func parseAssignTarget(extraEnd: [String], withNamespace: Bool) throws(TemplateError) -> AssignTarget {
        var targets: [AssignTarget] = []
        var isTuple = false
        while true {
            if !targets.isEmpty { try expectOp(",") }
            if isTupleEnd(extraEnd) { break }
            let location = current.location
            let name = try expectName()
            if withNamespace && current.isOp(".") {
                advance()
                targets.append(.namespaceAttribute(name, try expectName()))
            } else {
                if ["true", "false", "True", "False", "none", "None"].contains(name) {
                    throw .syntax("can't assign to 'const'", at: location)
                }
                targets.append(.name(name))
            }
            if current.isOp(",") { isTuple = true } else { break }
        }
        if !isTuple, let only = targets.first { return only }
        if targets.isEmpty { throw unexpected(expected: "an assignment target") }
        return .tuple(targets)
    }
}
