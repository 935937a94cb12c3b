import Testing
@testable import KingletGrammar

/// The incremental mask equals a brute-force mask (each token's bytes fed to a copy of the
/// matcher) on a synthetic vocabulary with multi-byte, straddling and special tokens.
@Suite struct TokenMaskTests {
    /// Single bytes, pieces of multi-byte characters, JSON-ish punctuation runs that straddle
    /// rule boundaries, words, and specials.
    static func vocabulary() -> (vocab: [[UInt8]], special: Set<Int32>, eog: Set<Int32>) {
        var v: [[UInt8]] = (0 ... 255).map { [UInt8($0)] }
        let texts = ["{", "}", "[", "]", "{\"", "\":", "\":\"", "\",", "\",\"", "\"}", "\"]", "},", "}]", "]}", "],",
                     ", ", ": ", " {", " \"", "\n", "\n  ", "  ", "true", "false", "null", "tr", "ue", "nul", "l",
                     "0", "1", "12", "-1", "1.", ".5", "e+", "e10", "1e", "00", "\\", "\\n", "\\u", "\\u00", "e9",
                     "name", "age", "ab", "abc", "a", "b", "é", "日本", "本語", "😀", "\"é", "é\"", "x\"}", "\"\"",
                     "ひら", "がな", "カタ", "漢字", "、", " ", "-", "- ", "\n- ", "=", "+", "1+", "+2=", "\"a\":1,"]
        for t in texts { v.append(Array(t.utf8)) }
        // Split characters: the first byte(s) and the rest as separate tokens.
        for ch in ["é", "日", "😀", "ひ", "€"] {
            let b = Array(ch.utf8)
            v.append(Array(b.prefix(1))); v.append(Array(b.dropFirst()))
            if b.count > 2 { v.append(Array(b.prefix(2))); v.append(Array(b.dropFirst(2))) }
            v.append(b + Array("\"".utf8))
        }
        let eos = Int32(v.count); v.append(Array("</s>".utf8))
        let ctl = Int32(v.count); v.append(Array("<|im_start|>".utf8))
        v.append([])  // an empty token is never allowed
        return (v, [ctl], [eos])
    }

    static func bruteForce(_ m: GrammarMatcher, trie: TokenTrie) -> [UInt64] {
        var bits = Array(repeating: UInt64(0), count: trie.maskWordCount)
        for id in 0 ..< trie.vocabularySize {
            let t = Int32(id)
            let allowed: Bool
            if trie.endOfGeneration.contains(t) { allowed = m.isAccepting }
            else if trie.special.contains(t) || trie.bytes(of: t).isEmpty { allowed = false }
            else { allowed = m.canAccept(bytes: trie.bytes(of: t)) }
            if allowed { bits[id >> 6] |= 1 << UInt64(id & 63) }
        }
        return bits
    }

    static let grammars = ["json.gbnf", "arithmetic.gbnf", "japanese.gbnf", "list.gbnf", "chess.gbnf"]

    @Test(arguments: grammars, [0, 1, 4])
    func maskEqualsBruteForce(file: String, contextFrames: Int) throws {
        try Self.compareWithBruteForce(try Grammar(gbnf: try GrammarTestData.gbnf(file)), name: file, contextFrames: contextFrames)
    }

    @Test(arguments: [0, 2, 4])
    func schemaMaskEqualsBruteForce(contextFrames: Int) throws {
        try Self.compareWithBruteForce(Grammar.json, name: "Grammar.json", contextFrames: contextFrames)
        let schema = ##"{"$ref": "#/$defs/n", "$defs": {"n": {"type": "object", "properties": {"name": {"type": "string", "maxLength": 6}, "v": {"type": ["integer", "null"], "minimum": -20, "maximum": 300}, "kids": {"type": "array", "items": {"$ref": "#/$defs/n"}, "maxItems": 2}, "d": {"type": "string", "format": "date"}}, "required": ["name", "kids"], "additionalProperties": false}}}"##
        try Self.compareWithBruteForce(try Grammar(jsonSchema: schema), name: "schema", contextFrames: contextFrames)
    }

    static func compareWithBruteForce(_ grammar: Grammar, name file: String, contextFrames: Int) throws {
        let (vocab, special, eog) = Self.vocabulary()
        let trie = TokenTrie(vocabulary: vocab, special: special, endOfGeneration: eog)
        let masker = TokenMasker(grammar: grammar, trie: trie, contextFrames: contextFrames)
        var rng = SplitMix(seed: UInt64(file.utf8.count * 31 + contextFrames))
        var mask: [UInt64] = []
        var steps = 0
        for _ in 0 ..< 12 {
            let m = try GrammarMatcher(masker: masker)
            for _ in 0 ..< 40 {
                m.mask(into: &mask)
                let expected = Self.bruteForce(m, trie: trie)
                #expect(mask == expected, "\(file) K=\(contextFrames) after \(steps) steps")
                if mask != expected { return }
                steps += 1
                let allowed = (0 ..< trie.vocabularySize).filter { mask[$0 >> 6] >> UInt64($0 & 63) & 1 == 1 }
                guard let pick = allowed.randomElement(using: &rng) else { break }
                try m.accept(token: Int32(pick))
                if m.isTerminated { break }
            }
        }
        #expect(steps > 50)
    }

    @Test func specialAndEndTokens() throws {
        let (vocab, special, eog) = Self.vocabulary()
        let trie = TokenTrie(vocabulary: vocab, special: special, endOfGeneration: eog)
        let masker = TokenMasker(grammar: try Grammar(gbnf: #"root ::= "<" "/s>"?"#), trie: trie)
        let m = try GrammarMatcher(masker: masker)
        let eos = try #require(eog.first), ctl = try #require(special.first)
        var mask: [UInt64] = []
        m.mask(into: &mask)
        #expect(mask[Int(eos) >> 6] >> UInt64(eos & 63) & 1 == 0)
        #expect(mask[Int(ctl) >> 6] >> UInt64(ctl & 63) & 1 == 0)
        #expect(grammarError { try m.accept(token: eos) } == .rejected(offset: 0))
        #expect(grammarError { try m.accept(token: ctl) } == .invalidToken(ctl))
        try m.accept(token: Int32(UInt8(ascii: "<")))
        m.mask(into: &mask)
        #expect(mask[Int(eos) >> 6] >> UInt64(eos & 63) & 1 == 1)   // the grammar accepts "<"
        try m.accept(token: eos)
        m.mask(into: &mask)
        #expect(mask.allSatisfy { $0 == 0 })
    }
}
