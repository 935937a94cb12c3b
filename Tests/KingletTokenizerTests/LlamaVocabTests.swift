import Foundation
import KingletGGUF
import KingletTokenizer
import Testing

/// llama.cpp's ids on llama.cpp's own vocabulary-only test files (`models/ggml-vocab-*.gguf` in
/// its source tree): real GPT-2, Llama 3, Qwen 2, StarCoder, Refact, Command-R, MPT vocabularies
/// and three SentencePiece ones (Llama 2, Phi-3, Baichuan).
///
/// The vocabularies are not in this repository (about 40 MB); point `KINGLET_LLAMA_VOCABS` at
/// that `models/` directory to run these. Without it they are reported as skipped, by name.
@Suite("Reference: llama.cpp's vocabulary test files",
       .enabled(if: LlamaVocabs.directory != nil, "set KINGLET_LLAMA_VOCABS to llama.cpp's models/ directory"))
struct LlamaVocabTests {
    struct File: Decodable {
        let vocab: String
        let cases: [ReferenceCasesTests.Case]
    }

    static let names = ["gpt-2", "llama-bpe", "qwen2", "starcoder", "refact", "command-r", "mpt",
                        "llama-spm", "phi-3", "baichuan"]

    @Test("encodes and decodes like llama.cpp", arguments: names)
    func encode(name: String) throws {
        let dir = try #require(LlamaVocabs.directory)
        let tok = try Tokenizer(gguf: GGUFFile(path: dir + "/ggml-vocab-\(name).gguf"))
        let data = try Data(contentsOf: TestData.root.appendingPathComponent("tokenizer/llama-vocabs/\(name).json"))
        let file = try JSONDecoder().decode(File.self, from: data)
        #expect(file.cases.count > 300)
        var misses = 0
        for c in file.cases {
            for parseSpecial in [true, false] {
                let expected = parseSpecial ? c.ids : c.ids_no_special
                let got = tok.encode(c.text, parseSpecial: parseSpecial)
                guard got != expected else { continue }
                misses += 1
                if misses <= 5 {
                    Issue.record("\(name): \(c.text.debugDescription) (parseSpecial: \(parseSpecial)): expected \(expected), got \(got)")
                }
            }
        }
        #expect(misses == 0, "\(name): \(misses) of \(2 * file.cases.count) encodings differ from llama.cpp")

        var decodeMisses = 0
        for c in file.cases where tok.decodeBytes(c.ids) != c.expectedDecoding {
            decodeMisses += 1
            if decodeMisses <= 5 { Issue.record("\(name): \(c.text.debugDescription) decoded \(tok.decode(c.ids).debugDescription)") }
        }
        #expect(decodeMisses == 0, "\(name): \(decodeMisses) of \(file.cases.count) decodings differ from llama.cpp")
    }
}

enum LlamaVocabs {
    /// `$KINGLET_LLAMA_VOCABS` when it names an existing directory.
    static var directory: String? {
        guard let d = ProcessInfo.processInfo.environment["KINGLET_LLAMA_VOCABS"], !d.isEmpty else { return nil }
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: d, isDirectory: &isDir) && isDir.boolValue ? d : nil
    }
}
