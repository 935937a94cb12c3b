import Testing
@testable import KingletGrammar

@Suite struct GrammarMatcherTests {
    @Test func nestedRules() throws {
        let g = try Grammar(gbnf: """
        root ::= list
        list ::= "[" (item ("," item)*)? "]"
        item ::= num | list
        num ::= [0-9]+
        """)
        for s in ["[]", "[1]", "[1,22,[3,[]]]", "[[[[]]]]"] { #expect(matches(g, s), "\(s)") }
        for s in ["[", "[1,]", "[,1]", "[1]]", "[01a]", ""] { #expect(!matches(g, s), "\(s)") }
        #expect(isPrefix(g, "[1,[2"))
        #expect(!isPrefix(g, "[1,]"))
    }

    @Test func multiByteCharactersAdvanceByteByByte() throws {
        let g = try Grammar(gbnf: "root ::= [ぁ-ゟ]+ \"!\"")
        #expect(matches(g, "ひらがな!"))
        #expect(!matches(g, "カ!"))
        let m = try GrammarMatcher(grammar: g)
        let bytes = Array("ひ".utf8)  // E3 81 B2
        #expect(m.allowedBytes == [0xE3])  // U+3041...U+309F all start with E3
        try m.accept(byte: bytes[0])
        #expect(m.canContinue && !m.isAccepting)
        #expect(m.allowedBytes == [0x81, 0x82])
        #expect(m.canAccept(bytes: [bytes[1]]))
        #expect(!m.canAccept(bytes: [0x21]))  // "!" in the middle of a character
        try m.accept(bytes: bytes.dropFirst())
        try m.accept(byte: 0x21)
        #expect(m.isAccepting && !m.canContinue)
    }

    @Test func rejectionLeavesStateUnchanged() throws {
        let g = try Grammar(gbnf: #"root ::= "abc""#)
        let m = try GrammarMatcher(grammar: g)
        try m.accept(bytes: Array("a".utf8))
        #expect(grammarError { try m.accept(bytes: Array("bx".utf8)) } == .rejected(offset: 1))
        try m.accept(bytes: Array("bc".utf8))
        #expect(m.isAccepting)
    }

    @Test func repetitionBoundsAreExact() throws {
        let g = try Grammar(gbnf: #"root ::= [a-z]{2,4} ("-" [0-9]{3})?"#)
        for s in ["ab", "abcd", "ab-123", "abcd-000"] { #expect(matches(g, s), "\(s)") }
        for s in ["a", "abcde", "ab-12", "ab-1234", "ab-"] { #expect(!matches(g, s), "\(s)") }
    }

    @Test func copyIsIndependent() throws {
        let g = try Grammar(gbnf: #"root ::= "ab" | "ac""#)
        let m = try GrammarMatcher(grammar: g)
        try m.accept(byte: UInt8(ascii: "a"))
        let c = m.copy()
        try c.accept(byte: UInt8(ascii: "b"))
        #expect(c.isAccepting)
        #expect(!m.isAccepting)
        try m.accept(byte: UInt8(ascii: "c"))
        #expect(m.isAccepting)
    }

    @Test func ambiguityIsBounded() throws {
        // Each "a" may belong to any of many overlapping alternatives.
        let g = try Grammar(gbnf: #"root ::= (x | y | z)*  x ::= "a" | "aa"  y ::= "a"+  z ::= "a"{1,3}"#.replacingOccurrences(of: "  ", with: "\n"))
        let m = try GrammarMatcher(grammar: g, stackLimit: 64)
        var failure: GrammarError?
        for _ in 0 ..< 200 {
            do { try m.accept(byte: UInt8(ascii: "a")) } catch { failure = error; break }
        }
        if let failure { #expect(failure == .tooManyStates(limit: 64)) }
    }

    @Test func deepEmptyChainsFailClosed() throws {
        // 5000 optional items in a row: expanding them all at once exceeds the depth guard.
        let g = try Grammar(gbnf: "root ::= " + String(repeating: "a ", count: 5000) + "\"!\"\na ::= \"x\" | \"\"")
        #expect(grammarError { _ = try GrammarMatcher(grammar: g) } == .tooManyStates(limit: GrammarMatcher.defaultStackLimit))
    }
}
