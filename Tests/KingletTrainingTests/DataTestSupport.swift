import Foundation
import KingletGGUF
import KingletTokenizer

/// Tiny byte-level BPE tokenizers for the data and export tests (after
/// Tests/KingletTokenizerTests/SyntheticVocab.swift): ids 0...255 are the bytes, then one token
/// per merge, then the control tokens.
enum DataFixtures {
    /// GPT-2's byte alphabet: printable Latin-1 stands for itself, the other 68 bytes map in
    /// order to U+0100...
    static let alphabet: [Character] = {
        var out = [Character](repeating: " ", count: 256)
        var next = 256
        for b in 0 ..< 256 {
            if (33 ... 126).contains(b) || (161 ... 172).contains(b) || (174 ... 255).contains(b) {
                out[b] = Character(Unicode.Scalar(UInt8(b)))
            } else {
                out[b] = Character(Unicode.Scalar(UInt32(next))!)
                next += 1
            }
        }
        return out
    }()

    static func spell(_ text: String) -> String { String(text.utf8.map { alphabet[Int($0)] }) }

    static let merges: [(String, String)] = [("t", "h"), ("th", "e"), (" ", "a"), ("i", "n"), (" ", "the"), ("e", "r"), ("o", "n")]
    static let control = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    /// Id of `<|endoftext|>`.
    static var endOfText: Int32 { Int32(256 + merges.count) }
    /// Id of `<|im_end|>` (the EOS).
    static var imEnd: Int32 { Int32(256 + merges.count + 2) }

    static func configuration(pre: String = "gpt-2", extraToken: String? = nil) -> TokenizerConfiguration {
        var tokens = (0 ..< 256).map { String(alphabet[$0]) }
        for (l, r) in merges { tokens.append(spell(l + r)) }
        tokens += control
        var types = Array(repeating: TokenType.normal, count: 256 + merges.count) + Array(repeating: .control, count: control.count)
        if let extraToken { tokens.append(extraToken); types.append(.userDefined) }
        var special = SpecialTokenIDs()
        special.bos = imEnd - 1
        special.eos = imEnd
        return TokenizerConfiguration(
            tokens: tokens, tokenTypes: types,
            merges: merges.map { spell($0.0) + " " + spell($0.1) },
            preTokenizer: pre, special: special, addBOS: false, addEOS: false)
    }

    static func tokenizer(pre: String = "gpt-2", extraToken: String? = nil) throws -> Tokenizer {
        try Tokenizer(configuration(pre: pre, extraToken: extraToken))
    }

    /// The tokenizer metadata a model file carries, for `configuration()`.
    static func setTokenizerMetadata(_ w: inout GGUFWriter, pre: String = "gpt-2") {
        let c = configuration(pre: pre)
        w.set("tokenizer.ggml.model", "gpt2")
        w.set("tokenizer.ggml.pre", pre)
        w.set("tokenizer.ggml.tokens", strings: c.tokens)
        w.set("tokenizer.ggml.token_type", .array(.int32, (c.tokenTypes ?? []).map { .int32(Int32($0.rawValue)) }))
        w.set("tokenizer.ggml.merges", strings: c.merges)
        w.set("tokenizer.ggml.bos_token_id", uint32: Int(imEnd - 1))
        w.set("tokenizer.ggml.eos_token_id", uint32: Int(imEnd))
        w.set("tokenizer.ggml.add_bos_token", .bool(false))
        w.set("tokenizer.chat_template", "{% for m in messages %}{{ m.content }}{% endfor %}")
    }

    /// A fresh temporary folder.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func write(_ text: String, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    /// Some English-like prose: lines of words, punctuation, digits and blank lines.
    static func prose(lines: Int, seed: UInt64) -> String {
        let words = ["the", "cat", "in", "a", "hat", "There", "once", "was", "on", "Tim", "ran", "42", "1999", "x3",
                     "don't", "naïve", "café", "(yes)", "well,", "end.", "QUIET", "over", "there!", "—", "it's"]
        var s = seed
        func next(_ n: Int) -> Int { s = s &* 6364136223846793005 &+ 1442695040888963407; return Int(s >> 33) % n }
        var out = ""
        for l in 0 ..< lines {
            let count = 1 + next(12)
            out += (0 ..< count).map { _ in words[next(words.count)] }.joined(separator: next(5) == 0 ? "  " : " ")
            out += l % 7 == 6 ? "\n\n" : (next(9) == 0 ? " \n" : "\n")
        }
        return out
    }
}
