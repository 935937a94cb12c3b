import Foundation
import Testing
@testable import KingletGrammar

/// llama.cpp's sample grammars (Tests/Data/grammars, MIT) parse unchanged and decide strings.
@Suite struct LlamaGrammarFilesTests {
    static let cases: [(file: String, valid: [String], invalid: [String])] = [
        ("arithmetic.gbnf", ["1+2=3\n", "(x+y) *2= 4\n", "a=b\nc=d\n"], ["1+2=3", "+1=2\n", "A=1\n"]),
        ("c.gbnf", ["int main(){return 0;}", "float f(int x){x = x+1;}", "int g(){/* c */}"], ["int main(){return 0}", "main(){}", "int f(){"]),
        ("chess.gbnf", ["1. e4 e5\n2. Nf3 Nc6\n", "1. d4 d5\n2. O-O O-O-O\n"], ["1. e4 e5\n", "1. e9 e5\n2. a3 a4\n", "2. e4 e5\n3. a3 a4\n"]),
        ("english.gbnf", ["Hello, world!", "a b\nc"], ["", "héllo", " leading"]),
        ("japanese.gbnf", ["こんにちは", "カタカナ ひらがな", "漢字、"], ["abc", "こんにちは ", ""]),
        ("json.gbnf", [#"{"a": [1, 2.5, -3e19, true, null], "b": {"c": "\u00e9\n"}}"#, "{}", #"{"k":"v"}"#], ["[1]", #"{"a":}"#, #"{"a": 01}"#, "{'a': 1}"]),
        ("json_arr.gbnf", ["[\n{\"a\": 1},\n\"x\"]", "[\n]"], ["[1]", "{}", "[\n1,]"]),
        ("list.gbnf", ["- one\n- two\n"], ["- one", "* one\n", "- a\u{2028}b\n"]),
    ]

    @Test func everyFileParses() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: GrammarTestData.grammars.path).filter { $0.hasSuffix(".gbnf") }
        #expect(files.count >= 8)
        for f in files {
            #expect(throws: Never.self, "\(f)") { _ = try Grammar(gbnf: try GrammarTestData.gbnf(f)) }
        }
    }

    @Test(arguments: cases.map(\.file))
    func decidesStrings(file: String) throws {
        let c = try #require(Self.cases.first { $0.file == file })
        let g = try Grammar(gbnf: try GrammarTestData.gbnf(file))
        for s in c.valid { #expect(matches(g, s), "\(file) should accept \(s.debugDescription)") }
        for s in c.invalid { #expect(!matches(g, s), "\(file) should reject \(s.debugDescription)") }
    }
}
