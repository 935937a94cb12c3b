import Testing
@testable import KingletGrammar

/// The masks precomputed per grammar position (bases) and the contexts refined from them sort
/// every token exactly as feeding its bytes to the isolated context does, on the synthetic
/// vocabulary of ``TokenMaskTests`` (straddling tokens, split UTF-8, specials, end tokens).
@Suite struct PrecomputedMaskTests {
    enum Kind: Equatable { case accepted, rejected, uncertain }

    /// Feeds `bytes` to the context `frames` (top first; `closed`: the stack ends there).
    static func classify(_ program: GrammarProgram, frames: [Int32], closed: Bool, bytes: ArraySlice<UInt8>) -> Kind {
        var arena = StackArena()
        var top = closed ? StackArena.accepted : StackArena.escaped
        for p in frames.reversed() { top = arena.push(p, on: top) }
        var set = [top], next: [Int32] = []
        var escaped = false
        for b in bytes {
            guard program.advance(set, byte: b, arena: &arena, into: &next, limit: GrammarMatcher.defaultStackLimit) else { return .rejected }
            if next.isEmpty { return escaped ? .uncertain : .rejected }
            if program.hasRuleMatchingNothing && next == [StackArena.escaped] { return .uncertain }
            if next.first == StackArena.escaped { escaped = true }
            swap(&set, &next)
        }
        return .accepted
    }

    /// The kind of every text token per `masks`.
    static func kinds(_ masks: ContextMasks, trie: TokenTrie) -> [Int32: Kind] {
        var bits = Array(repeating: UInt64(0), count: trie.maskWordCount)
        masks.insertAccepted(into: &bits)
        var out: [Int32: Kind] = [:]
        for t in trie.tokens { out[t] = bits[Int(t) >> 6] >> UInt64(t & 63) & 1 == 1 ? .accepted : .rejected }
        for r in masks.uncertainRoots {
            for node in Int(r) ..< Int(trie.subtreeEnd[Int(r)]) {
                for i in trie.tokenStart[node] ..< trie.tokenStart[node + 1] {
                    let t = trie.tokens[Int(i)]
                    #expect(out[t] == .rejected, "token \(t) both accepted and uncertain")
                    out[t] = .uncertain
                }
            }
        }
        return out
    }

    static func check(_ masks: ContextMasks, _ program: GrammarProgram, frames: [Int32], closed: Bool, trie: TokenTrie, name: String) -> Bool {
        let got = kinds(masks, trie: trie)
        for t in trie.tokens {
            let want = classify(program, frames: frames, closed: closed, bytes: trie.bytes(of: t))
            if got[t] != want {
                Issue.record("\(name): context \(frames) closed \(closed), token \(t) \(Array(trie.bytes(of: t))): \(String(describing: got[t])) ≠ \(want)")
                return false
            }
        }
        return true
    }

    static func grammars() throws -> [(String, Grammar)] {
        var out: [(String, Grammar)] = [("Grammar.json", Grammar.json)]
        for f in ["json.gbnf", "arithmetic.gbnf", "japanese.gbnf", "chess.gbnf", "list.gbnf"] {
            out.append((f, try Grammar(gbnf: try GrammarTestData.gbnf(f))))
        }
        out.append(("schema", try Grammar(jsonSchema: ##"{"type": "object", "properties": {"name": {"type": "string", "maxLength": 4}, "kids": {"type": "array", "items": {"$ref": "#"}, "maxItems": 2}, "n": {"type": ["integer", "null"]}}, "required": ["name"]}"##)))
        out.append(("straddle", try Grammar(gbnf: "root ::= (\"ab\" | \"a\" x | \"é\" y)* \"}\"\nx ::= \"\\\"\" | \"b\\\":\"\ny ::= [^\"]\n")))
        return out
    }

    /// Every byte-set position's precomputed base matches brute force.
    @Test func basesMatchBruteForce() throws {
        let (vocab, special, eog) = TokenMaskTests.vocabulary()
        let trie = TokenTrie(vocabulary: vocab, special: special, endOfGeneration: eog)
        for (name, grammar) in try Self.grammars() {
            let masker = TokenMasker(grammar: grammar, trie: trie)
            let program = grammar.program
            var checked = 0
            for p in 0 ..< program.count where program.kinds[p] == .bytes {
                guard Self.check(masker.context([Int32(p)]), program, frames: [Int32(p)], closed: false, trie: trie, name: name) else { return }
                checked += 1
            }
            #expect(masker.precomputedContexts >= checked && masker.cachedContexts == 0, "\(name)")
        }
    }

    /// Contexts met on random walks (refined from their top's base) match brute force, for
    /// several context depths.
    @Test(arguments: [1, 2, 4])
    func refinedContextsMatchBruteForce(contextFrames: Int) throws {
        let (vocab, special, eog) = TokenMaskTests.vocabulary()
        let trie = TokenTrie(vocabulary: vocab, special: special, endOfGeneration: eog)
        for (name, grammar) in try Self.grammars() {
            let masker = TokenMasker(grammar: grammar, trie: trie, contextFrames: contextFrames)
            var rng = SplitMix(seed: UInt64(name.utf8.count * 7 + contextFrames))
            var seen = Set<[Int32]>()
            let rule = grammar.program.ruleOfPosition()
            let below = grammar.program.returnFrames(ruleOf: rule)
            var mask: [UInt64] = []
            for _ in 0 ..< 6 {
                let m = try GrammarMatcher(masker: masker)
                for _ in 0 ..< 30 {
                    for s in m.stacks where s >= 0 {
                        let all = m.arena.frames(s)
                        // The frame below a top is one the masker precomputes for it.
                        if all.count > 1 { #expect(below[Int(rule[Int(all[0])])].contains(all[1]), "\(name): \(all)") }
                        let frames = Array(all.prefix(contextFrames + 1))
                        let closed = all.count <= contextFrames + 1
                        guard seen.insert(frames + (closed ? [StackArena.accepted] : [])).inserted else { continue }
                        guard Self.check(masker.masks(for: s, in: m.arena), grammar.program, frames: frames, closed: closed, trie: trie, name: name) else { return }
                    }
                    m.mask(into: &mask)
                    let allowed = (0 ..< trie.vocabularySize).filter { mask[$0 >> 6] >> UInt64($0 & 63) & 1 == 1 }
                    guard let pick = allowed.randomElement(using: &rng) else { break }
                    try m.accept(token: Int32(pick))
                    if m.isTerminated { break }
                }
            }
            #expect(seen.count > 10, "\(name)")
        }
    }

    /// Full masks equal brute force on the extra grammars (literals straddling rules), for several context depths.
    @Test(arguments: [0, 1, 4])
    func extraGrammarMasksEqualBruteForce(contextFrames: Int) throws {
        for (name, grammar) in try Self.grammars() where name == "straddle" {
            try TokenMaskTests.compareWithBruteForce(grammar, name: name, contextFrames: contextFrames)
        }
    }

    /// A masker built without precomputing gives the same masks, computing bases on first use.
    @Test func lazyBasesGiveTheSameMasks() throws {
        let (vocab, special, eog) = TokenMaskTests.vocabulary()
        let trie = TokenTrie(vocabulary: vocab, special: special, endOfGeneration: eog)
        let eager = TokenMasker(grammar: .json, trie: trie), lazy = TokenMasker(grammar: .json, trie: trie, precompute: false)
        #expect(lazy.precomputedContexts == 0 && eager.precomputedContexts > 0)
        var rng = SplitMix(seed: 3)
        let a = try GrammarMatcher(masker: eager), b = try GrammarMatcher(masker: lazy)
        var ma: [UInt64] = [], mb: [UInt64] = []
        for _ in 0 ..< 60 {
            a.mask(into: &ma); b.mask(into: &mb)
            #expect(ma == mb)
            let allowed = (0 ..< trie.vocabularySize).filter { ma[$0 >> 6] >> UInt64($0 & 63) & 1 == 1 }
            guard let pick = allowed.randomElement(using: &rng) else { break }
            try a.accept(token: Int32(pick)); try b.accept(token: Int32(pick))
            if a.isTerminated { break }
        }
    }
}
