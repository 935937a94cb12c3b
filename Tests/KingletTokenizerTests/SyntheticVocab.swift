import Foundation
import KingletGGUF
import KingletTokenizer

/// Small byte-level BPE vocabularies with predictable ids, for unit tests.
///
/// Ids: 0...255 are the single bytes (id = byte value); then one token per merge, in merge order
/// (id 256 + k); then the control tokens; then the user-defined tokens.
struct SyntheticVocab {
    var merges: [(String, String)] = []
    var control: [String] = []
    var userDefined: [String] = []
    var pre: String? = "gpt-2"
    var special = SpecialTokenIDs()
    var addBOS: Bool? = nil
    var addEOS: Bool? = nil

    /// GPT-2's byte alphabet, written out independently of the library's table: printable
    /// Latin-1 stands for itself, the other 68 bytes map in order to U+0100...
    static let alphabet: [Character] = {
        var out = [Character](repeating: " ", count: 256)
        var next = 256
        for b in 0 ..< 256 {
            let printable = (33 ... 126).contains(b) || (161 ... 172).contains(b) || (174 ... 255).contains(b)
            if printable {
                out[b] = Character(Unicode.Scalar(UInt8(b)))
            } else {
                out[b] = Character(Unicode.Scalar(UInt32(next))!)
                next += 1
            }
        }
        return out
    }()

    /// `text` spelled in the byte alphabet (" a" → "Ġa").
    static func spell(_ text: String) -> String {
        String(text.utf8.map { alphabet[Int($0)] })
    }

    var tokens: [String] {
        var t = (0 ..< 256).map { String(Self.alphabet[$0]) }
        for (l, r) in merges { t.append(Self.spell(l + r)) }
        return t + control + userDefined
    }

    var types: [TokenType] {
        Array(repeating: .normal, count: 256 + merges.count)
            + Array(repeating: .control, count: control.count)
            + Array(repeating: .userDefined, count: userDefined.count)
    }

    /// Id of the k-th merge's token.
    func mergeID(_ k: Int) -> Int32 { Int32(256 + k) }
    /// Id of a control token by index.
    func controlID(_ k: Int) -> Int32 { Int32(256 + merges.count + k) }
    /// Id of a user-defined token by index.
    func userDefinedID(_ k: Int) -> Int32 { Int32(256 + merges.count + control.count + k) }

    var configuration: TokenizerConfiguration {
        TokenizerConfiguration(
            tokens: tokens, tokenTypes: types,
            merges: merges.map { Self.spell($0.0) + " " + Self.spell($0.1) },
            preTokenizer: pre, special: special, addBOS: addBOS, addEOS: addEOS)
    }

    func tokenizer() throws -> Tokenizer { try Tokenizer(configuration) }
}

/// Byte ids of `text` (what a vocabulary without merges produces).
func byteIDs(_ text: String) -> [Int32] { text.utf8.map { Int32($0) } }

/// Parses GGUF bytes built by `GGUFWriter`, keeping them alive as long as the file.
func parseGGUF(_ writer: GGUFWriter) throws -> GGUFFile {
    final class Box { let bytes: UnsafeMutableRawBufferPointer
        init(_ b: [UInt8]) {
            bytes = .allocate(byteCount: max(b.count, 1), alignment: 64)
            bytes.copyBytes(from: b)
        }
        deinit { bytes.deallocate() }
    }
    let bytes = writer.serialized()
    let box = Box(bytes)
    return try GGUFFile(bytes: UnsafeRawBufferPointer(rebasing: box.bytes[0 ..< bytes.count]), owner: box)
}
