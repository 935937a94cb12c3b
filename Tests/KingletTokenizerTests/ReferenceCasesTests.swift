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
        /// llama.cpp's detokenization of `ids` as hex, present only when it is not `text`.
        let decoded_hex: String?

        var expectedDecoding: [UInt8] {
            guard let hex = decoded_hex else { return Array(text.utf8) }
            var out: [UInt8] = []
            var i = hex.startIndex
            while i < hex.endIndex {
                let j = hex.index(i, offsetBy: 2)
                out.append(UInt8(hex[i ..< j], radix: 16)!)
                i = j
            }
            return out
        }
    }

    static let directory = TestData.root.appendingPathComponent("tokenizer/smollm2-vocab")

    static func load(_ pre: String) throws -> File {
        let data = try Data(contentsOf: directory.appendingPathComponent("\(pre).json"))
        return try JSONDecoder().decode(File.self, from: data)
    }


    @Test("encodes like llama.cpp", arguments: ["smollm", "gpt-2", "llama-bpe", "qwen2"])
    func encode(pre: String) throws {
        guard var config = ModelTokenizer.smolLM2.configuration() else { return }
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

    @Test("decoding the reference ids gives llama.cpp's detokenized bytes",
          arguments: ["smollm", "gpt-2", "llama-bpe", "qwen2"])
    func decode(pre: String) throws {
        guard var config = ModelTokenizer.smolLM2.configuration() else { return }
        config.preTokenizer = pre
        let tok = try Tokenizer(config)
        let file = try Self.load(pre)
        var misses = 0
        for c in file.cases where tok.decodeBytes(c.ids) != c.expectedDecoding {
            misses += 1
            if misses <= 5 { Issue.record("\(c.text.debugDescription): decoded \(tok.decode(c.ids).debugDescription)") }
        }
        #expect(misses == 0, "\(misses) of \(file.cases.count) decodings differ from llama.cpp")
        // Most texts come back unchanged; some lose bytes the vocabulary has no token for, and
        // GPT-2 style vocabularies tidy " ," to ",".
        #expect(file.cases.filter { $0.decoded_hex == nil }.count > file.cases.count * 3 / 4)
    }
}
