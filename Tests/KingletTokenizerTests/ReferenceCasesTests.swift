import Foundation
import KingletTokenizer
import Testing

/// llama.cpp's ids for ~580 extra texts on SmolLM2's vocabulary, under four pre-tokenizers
/// (`Tests/Data/tokenizer/smollm2-vocab`, see its README).
@Suite("Reference: SmolLM2 vocabulary under four pre-tokenizers")
struct ReferenceCasesTests {
    struct File: Decodable {
        let pre: String
        let cases: [Case]
    }

    struct Case: Decodable {
        let text: String
        let ids: [Int32]
        let ids_no_special: [Int32]
    }

    static let directory = TestData.root.appendingPathComponent("tokenizer/smollm2-vocab")

    static func load(_ pre: String) throws -> File {
        let data = try Data(contentsOf: directory.appendingPathComponent("\(pre).json"))
        return try JSONDecoder().decode(File.self, from: data)
    }


    @Test("encodes like llama.cpp", arguments: ["smollm", "gpt-2", "llama-bpe", "qwen2"])
    func encode(pre: String) throws {
        guard var config = SmolLM2Fixture.configuration() else { return }
        config.preTokenizer = pre
        let tok = try Tokenizer(config)
        #expect(tok.warnings.isEmpty, "\(tok.warnings)")
        let file = try Self.load(pre)
        #expect(file.pre == pre)
        #expect(file.cases.count > 500)

        var misses = 0
        for c in file.cases {
            for parseSpecial in [true, false] {
                let expected = parseSpecial ? c.ids : c.ids_no_special
                let got = tok.encode(c.text, parseSpecial: parseSpecial)
                guard got != expected else { continue }
                misses += 1
                if misses <= 5 {
                    Issue.record("\(c.text.debugDescription) (parseSpecial: \(parseSpecial)): expected \(expected), got \(got)")
                }
            }
        }
        #expect(misses == 0, "\(misses) of \(2 * file.cases.count) encodings differ from llama.cpp")
    }

    @Test("decoding the reference ids gives the text back (pre-tokenizers without clean_spaces)",
          arguments: ["smollm", "qwen2"])
    func roundTrip(pre: String) throws {
        guard var config = SmolLM2Fixture.configuration() else { return }
        config.preTokenizer = pre
        let tok = try Tokenizer(config)
        #expect(!tok.cleanSpaces)
        // A byte with no token of its own is dropped by llama.cpp (SmolLM2 has none for bytes
        // like F2 that lead rare 4-byte sequences), so only texts made of covered bytes round-trip.
        let covered = (0 ..< 256).map { tok.id(forTokenText: String(SyntheticVocab.alphabet[$0])) != nil }
        #expect(covered.filter { $0 }.count > 200)
        var checked = 0
        for c in try Self.load(pre).cases where c.text.utf8.allSatisfy({ covered[Int($0)] }) {
            checked += 1
            #expect(tok.decodeBytes(c.ids) == Array(c.text.utf8), "\(c.text.debugDescription)")
            #expect(tok.decodeBytes(c.ids_no_special) == Array(c.text.utf8), "\(c.text.debugDescription)")
        }
        #expect(checked > 600)
    }
}
