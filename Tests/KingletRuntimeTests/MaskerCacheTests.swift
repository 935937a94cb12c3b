import KingletGrammar
import KingletTestSupport
import Testing
@testable import KingletRuntime

/// An engine keeps the token maskers of recent constraints: a grammar asked for again starts with
/// the context masks of earlier answers, and the answers are the same.
@Suite struct MaskerCacheTests {
    @Test func aConstraintAskedForAgainStartsWarm() throws {
        let engine = try TinyEngineFile.engine()
        var p = GenerateParameters()
        p.sampling = .greedy
        p.maxTokens = 12
        p.constraint = try .gbnf(#"root ::= "a" [b-j]* "a""#)
        func answer() throws -> [Int32] {
            var ids: [Int32] = []
            try engine.run([0, 1, 2], parameters: p) { if case .token(let id, _) = $0, id >= 0 { ids.append(id) } }
            return ids
        }
        let first = try answer()
        #expect(engine.maskers.count == 1)
        let kept = engine.maskers.masker(for: p.constraint!, trie: engine.tokenTrie)
        #expect(kept.cachedContexts > 0, "the first answer's contexts are kept")
        let contexts = kept.cachedContexts
        let second = try answer()
        #expect(second == first, "a warm masker gives the same answer")
        #expect(kept.cachedContexts == contexts, "the second answer needed no new context")
        #expect(engine.maskers.count == 1, "the same grammar, one masker")
        // The same grammar text from another constraint value shares it; another grammar does not.
        _ = engine.maskers.masker(for: try .gbnf(#"root ::= "a" [b-j]* "a""#), trie: engine.tokenTrie)
        #expect(engine.maskers.count == 1)
        _ = engine.maskers.masker(for: try .gbnf(#"root ::= "b"+"#), trie: engine.tokenTrie)
        #expect(engine.maskers.count == 2)
    }

    @Test func leastRecentlyUsedIsDropped() throws {
        let engine = try TinyEngineFile.engine()
        let cache = MaskerCache(capacity: 2)
        let a = try OutputConstraint.gbnf(#"root ::= "a""#), b = try OutputConstraint.gbnf(#"root ::= "b""#)
        let c = try OutputConstraint.gbnf(#"root ::= "c""#)
        let ma = cache.masker(for: a, trie: engine.tokenTrie)
        _ = cache.masker(for: b, trie: engine.tokenTrie)
        #expect(cache.masker(for: a, trie: engine.tokenTrie) === ma, "a is kept (and now the most recent)")
        _ = cache.masker(for: c, trie: engine.tokenTrie)                  // drops b
        #expect(cache.count == 2 && cache.masker(for: a, trie: engine.tokenTrie) === ma)
        let unkeyed = OutputConstraint(grammar: a.grammar)
        #expect(cache.masker(for: unkeyed, trie: engine.tokenTrie) !== ma, "no key: never kept")
        #expect(cache.count == 2)
    }
}
