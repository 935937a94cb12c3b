/// Compiles parsed GBNF rules into a ``GrammarProgram``: literals and classes become UTF-8 byte
/// sets, groups and repetitions become generated rules (like llama.cpp: `x{2,4}` is
/// `x x (x (x)?)?`, `x*` is `r ::= x r | ""`), and left recursion is refused.
struct GrammarCompiler {
    /// Most instructions a grammar may compile to.
    static let maxInstructions = 1 << 21

    private var rules: [[[CompiledItem]]] = []
    private var names: [String] = []
    private var origins: [String] = []
    private var index: [String: Int32] = [:]
    private var classRules: [CodePointSet: Int32] = [:]
    private var size = 0
    private var owner = ""

    static func compile(_ parsed: [GBNFRule]) throws(GrammarError) -> GrammarProgram {
        var c = GrammarCompiler()
        for rule in parsed {
            guard c.index[rule.name] == nil else { throw GrammarError.duplicateRule(rule.name, at: rule.location) }
            c.index[rule.name] = c.newRule(rule.name, origin: rule.name)
        }
        guard let root = c.index["root"] else { throw GrammarError.missingRoot }
        for (id, rule) in parsed.enumerated() {
            c.owner = rule.name
            let alts: [GBNFNode]
            if case .choice(let a) = rule.body { alts = a } else { alts = [rule.body] }
            var compiled: [[CompiledItem]] = []
            for alt in alts { compiled.append(try c.sequence(alt)) }
            c.rules[id] = compiled
        }
        try c.checkLeftRecursion()
        return c.flatten(root: root)
    }

    private mutating func newRule(_ name: String, origin: String) -> Int32 {
        rules.append([])
        names.append(name)
        origins.append(origin)
        return Int32(rules.count - 1)
    }

    private mutating func generated(_ alternatives: [[CompiledItem]]) throws(GrammarError) -> Int32 {
        let id = newRule("\(owner)-\(rules.count)", origin: owner)
        rules[Int(id)] = alternatives
        try grow(alternatives.reduce(alternatives.count) { $0 + $1.count })
        return id
    }

    private mutating func grow(_ n: Int) throws(GrammarError) {
        size += n
        guard size <= Self.maxInstructions else {
            throw GrammarError.tooLarge("more than \(Self.maxInstructions) instructions (in rule '\(owner)')")
        }
    }

    // MARK: - Nodes

    /// A node as a sequence of items.
    private mutating func sequence(_ node: GBNFNode) throws(GrammarError) -> [CompiledItem] {
        switch node {
        case .sequence(let parts):
            var out: [CompiledItem] = []
            for p in parts { out += try sequence(p) }
            return out
        case .literal(let scalars):
            let items = scalars.flatMap { UTF8Sequences.encode($0) }.map { CompiledItem.bytes(ByteSet($0 ... $0)) }
            try grow(items.count)
            return items
        default:
            return [try item(node)]
        }
    }

    /// A node as one item (a byte set or a call), generating a rule where needed.
    private mutating func item(_ node: GBNFNode) throws(GrammarError) -> CompiledItem {
        switch node {
        case .ruleRef(let name, let at):
            guard let id = index[name] else { throw GrammarError.undefinedRule(name, at: at) }
            return .call(id)
        case .any:
            return try characterClass(.all)
        case .charClass(let set, _):
            return try characterClass(set)
        case .choice(let alts):
            var compiled: [[CompiledItem]] = []
            for a in alts { compiled.append(try sequence(a)) }
            return .call(try generated(compiled))
        case .sequence, .literal:
            let seq = try sequence(node)
            return seq.count == 1 ? seq[0] : .call(try generated([seq]))
        case .repetition(let inner, let min, let max):
            let x = try item(inner)
            return .call(try generated([try repetition(x, min: min, max: max)]))
        }
    }

    private mutating func characterClass(_ set: CodePointSet) throws(GrammarError) -> CompiledItem {
        let alts = UTF8Sequences.alternatives(for: set)
        if alts.count == 1 && alts[0].count == 1 { return .bytes(alts[0][0]) }
        if let id = classRules[set] { return .call(id) }
        let id = try generated(alts.map { $0.map { CompiledItem.bytes($0) } })
        classRules[set] = id
        return .call(id)
    }

    private mutating func repetition(_ x: CompiledItem, min: Int, max: Int?) throws(GrammarError) -> [CompiledItem] {
        try grow(min)
        var out = Array(repeating: x, count: min)
        if let max {
            guard max > min else { return out }
            // optional(k) ::= x optional(k-1) | "" ; optional(1) ::= x | ""
            var tail = try generated([[x], []])
            for _ in 1 ..< (max - min) { tail = try generated([[x, .call(tail)], []]) }
            out.append(.call(tail))
        } else {
            let star = newRule("\(owner)-\(rules.count)", origin: owner)
            rules[Int(star)] = [[x, .call(star)], []]
            try grow(4)
            out.append(.call(star))
        }
        return out
    }

    // MARK: - Checks and layout

    /// Refuses rules that can reach themselves before consuming a byte.
    private func checkLeftRecursion() throws(GrammarError) {
        var nullable = Array(repeating: false, count: rules.count)
        var changed = true
        while changed {
            changed = false
            for (r, alts) in rules.enumerated() where !nullable[r] {
                if alts.contains(where: { alt in alt.allSatisfy { if case .call(let c) = $0 { nullable[Int(c)] } else { false } } }) {
                    nullable[r] = true
                    changed = true
                }
            }
        }
        var edges = Array(repeating: [Int32](), count: rules.count)
        for (r, alts) in rules.enumerated() {
            for alt in alts {
                for item in alt {
                    guard case .call(let c) = item else { break }
                    edges[r].append(c)
                    if !nullable[Int(c)] { break }
                }
            }
        }
        // Iterative DFS with colours: 0 new, 1 on the path, 2 done.
        var colour = Array(repeating: 0, count: rules.count)
        for start in 0 ..< rules.count where colour[start] == 0 {
            var stack: [(Int, Int)] = [(start, 0)]
            colour[start] = 1
            while let (r, i) = stack.last {
                if i < edges[r].count {
                    stack[stack.count - 1].1 += 1
                    let next = Int(edges[r][i])
                    if colour[next] == 1 { throw GrammarError.leftRecursion(rule: origins[next]) }
                    if colour[next] == 0 { colour[next] = 1; stack.append((next, 0)) }
                } else {
                    colour[r] = 2
                    stack.removeLast()
                }
            }
        }
    }

    private func flatten(root: Int32) -> GrammarProgram {
        var p = GrammarProgram()
        p.root = root
        p.ruleNames = names
        for alts in rules {
            var starts: [Int32] = []
            for alt in alts {
                starts.append(Int32(p.kinds.count))
                for item in alt {
                    switch item {
                    case .bytes(let set):
                        p.kinds.append(.bytes); p.callees.append(-1); p.byteSets.append(set)
                    case .call(let r):
                        p.kinds.append(.call); p.callees.append(r); p.byteSets.append(ByteSet())
                    }
                }
                p.kinds.append(.end); p.callees.append(-1); p.byteSets.append(ByteSet())
            }
            p.alternatives.append(starts)
        }
        return p
    }
}
