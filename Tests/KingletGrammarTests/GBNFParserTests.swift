import Testing
@testable import KingletGrammar

@Suite struct GBNFParserTests {
    @Test func literalsAndEscapes() throws {
        let g = try Grammar(gbnf: #"root ::= "a\tb\n\\\"\x41\u00e9\U0001F600\[\]""#)
        #expect(matches(g, "a\tb\n\\\"Aé😀[]"))
        #expect(!matches(g, "a\tb\n\\\"Aé😀["))
    }

    @Test func alternationGroupingAndComments() throws {
        let g = try Grammar(gbnf: """
        # a comment line
        root ::= ("ab" | "c") d |  # trailing comment
            "x"
        d ::= "d" |
              "e"
        """)
        for s in ["abd", "abe", "cd", "ce", "x"] { #expect(matches(g, s), "\(s)") }
        for s in ["ab", "d", "xd", "abde"] { #expect(!matches(g, s), "\(s)") }
    }

    @Test func groupsSpanLines() throws {
        let g = try Grammar(gbnf: "root ::= (\n  \"a\"\n  \"b\"\n)")
        #expect(matches(g, "ab"))
    }

    @Test func repetitionOperators() throws {
        let g = try Grammar(gbnf: #"root ::= "a"* "b"+ "c"? "d"{2} "e"{1,} "f"{1,3} "g"{0,2}"#)
        #expect(matches(g, "bddef"))
        #expect(matches(g, "aaabbbcddeeefffgg"))
        #expect(!matches(g, "bdef"))          // d{2}
        #expect(!matches(g, "bddf"))          // e{1,}
        #expect(!matches(g, "bdde"))          // f{1,3}
        #expect(!matches(g, "bddeffff"))      // f{1,3}
        #expect(!matches(g, "ddef"))          // b+
        #expect(!matches(g, "bddefggg"))      // g{0,2}
        #expect(!matches(g, "bccddef"))       // c?
    }

    @Test func characterClasses() throws {
        let g = try Grammar(gbnf: #"root ::= [a-cx] [^a-z\n] [\x30-\x39] [-] [a-]"#)
        #expect(matches(g, "xZ5--"))
        #expect(matches(g, "a€0-a"))
        #expect(!matches(g, "dZ5--"))
        #expect(!matches(g, "aq5--"))
        #expect(!matches(g, "a\n5--"))
    }

    @Test func anyCharacter() throws {
        let g = try Grammar(gbnf: #"root ::= . . "!""#)
        #expect(matches(g, "a😀!"))
        #expect(!matches(g, "a!"))
        #expect(!matches(g, [0x61, 0xFF, 0x21]))  // not UTF-8
    }

    @Test func syntaxErrorsCarryPositions() {
        #expect(grammarError { _ = try Grammar(gbnf: "root ::= \"abc") } == .syntax("unterminated string literal", at: SourceLocation(line: 1, column: 14)))
        #expect(grammarError { _ = try Grammar(gbnf: "root ::= a\nb ::= \"x\"\nroot2 ::= [a-") }.map { if case .syntax(_, let at) = $0 { at.line } else { 0 } } == 3)
        #expect(grammarError { _ = try Grammar(gbnf: "root ::= (\"a\"") }.map { if case .syntax = $0 { true } else { false } } == true)
        #expect(grammarError { _ = try Grammar(gbnf: "root = \"a\"") }.map { if case .syntax(_, let at) = $0 { at.column } else { 0 } } == 6)
        #expect(grammarError { _ = try Grammar(gbnf: "root ::= * \"a\"") }.map { if case .syntax = $0 { true } else { false } } == true)
        #expect(grammarError { _ = try Grammar(gbnf: #"root ::= "\q""#) }.map { if case .syntax(_, let at) = $0 { at.column } else { 0 } } == 11)
        #expect(grammarError { _ = try Grammar(gbnf: #"root ::= "a"{3,2}"#) }.map { if case .syntax = $0 { true } else { false } } == true)
    }

    @Test func semanticErrors() {
        #expect(grammarError { _ = try Grammar(gbnf: "root ::= item\n") } == .undefinedRule("item", at: SourceLocation(line: 1, column: 10)))
        #expect(grammarError { _ = try Grammar(gbnf: "item ::= \"a\"") } == .missingRoot)
        #expect(grammarError { _ = try Grammar(gbnf: "root ::= \"a\"\nroot ::= \"b\"") } == .duplicateRule("root", at: SourceLocation(line: 2, column: 1)))
        #expect(grammarError { _ = try Grammar(gbnf: "root ::= [^\\x00-\\U0010FFFF]") } == .emptyCharacterClass(at: SourceLocation(line: 1, column: 10)))
        #expect(grammarError { _ = try Grammar(gbnf: "root ::= <[12]>") } == .unsupported("token references (<[id]>, <text>, !<...>)", at: SourceLocation(line: 1, column: 10)))
    }

    @Test func leftRecursionIsRefusedNamingTheRule() {
        #expect(grammarError { _ = try Grammar(gbnf: "root ::= expr\nexpr ::= expr \"+\" num | num\nnum ::= [0-9]") } == .leftRecursion(rule: "expr"))
        #expect(grammarError { _ = try Grammar(gbnf: "root ::= a\na ::= b \"x\"\nb ::= \"\" | a") } != nil)
        // A repetition of something that can be empty would loop the same way.
        #expect(grammarError { _ = try Grammar(gbnf: "root ::= (\"a\"?)*") } == .leftRecursion(rule: "root"))
        // Right recursion is fine.
        #expect((try? Grammar(gbnf: "root ::= \"a\" root | \"\"")) != nil)
    }

    @Test func hostileSizesAreBounded() {
        #expect(grammarError { _ = try Grammar(gbnf: #"root ::= "a"{1000000} "b"{1000000} "c"{1000000}"#) }.map { if case .tooLarge = $0 { true } else { false } } == true)
        #expect(grammarError { _ = try Grammar(gbnf: #"root ::= "a"{99999999}"#) }.map { if case .syntax = $0 { true } else { false } } == true)
        let deep = "root ::= " + String(repeating: "(", count: 5000) + "\"a\"" + String(repeating: ")", count: 5000)
        #expect(grammarError { _ = try Grammar(gbnf: deep) } != nil)
    }
}
