import KingletGGUF
import KingletTokenizer

// A 64-bit identity for a vocabulary, stored in every token shard and checked when a shard is
// opened for training, so tokens made with one tokenizer are never fed to a model of another.
//
// Definition: FNV-1a (64-bit) over every token text in id order, each text's UTF-8 bytes
// followed by one 0xFF byte (a byte that never occurs in UTF-8, so the boundaries are
// unambiguous). Empty texts count as `[EMPTY_<id>]`, as the tokenizer (and llama.cpp) name them.

/// FNV-1a, 64-bit: small, stable across platforms and Swift versions (unlike `Hasher`).
struct FNV1a: Sendable {
    static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01b3

    private(set) var value: UInt64 = FNV1a.offsetBasis

    mutating func add(_ byte: UInt8) {
        value = (value ^ UInt64(byte)) &* Self.prime
    }

    mutating func add<S: Sequence<UInt8>>(_ bytes: S) {
        for b in bytes { add(b) }
    }

    /// The hash of a string's UTF-8 bytes.
    static func hash(_ text: String) -> UInt64 {
        var h = FNV1a()
        h.add(text.utf8)
        return h.value
    }
}

/// The vocabulary fingerprint of `tokenizer` (see `tokenizerFingerprint(tokens:)`).
public func tokenizerFingerprint(_ tokenizer: Tokenizer) -> UInt64 {
    var h = FNV1a()
    for id in 0 ..< tokenizer.vocabularySize {
        h.add((tokenizer.tokenText(Int32(id)) ?? "").utf8)
        h.add(0xFF)
    }
    return h.value
}

/// The vocabulary fingerprint of a token list as stored in `tokenizer.ggml.tokens`: FNV-1a 64
/// over each text's UTF-8 bytes plus a 0xFF separator, in id order. Equal to
/// `tokenizerFingerprint(Tokenizer(...))` for a tokenizer built from the same list.
public func tokenizerFingerprint(tokens: [String]) -> UInt64 {
    var h = FNV1a()
    for (id, text) in tokens.enumerated() {
        if text.isEmpty { h.add("[EMPTY_\(id)]".utf8) } else { h.add(text.utf8) }
        h.add(0xFF)
    }
    return h.value
}

/// The vocabulary fingerprint of a GGUF file's `tokenizer.ggml.tokens` (a model, a checkpoint).
public func tokenizerFingerprint(gguf file: GGUFFile) throws(GGUFError) -> UInt64 {
    tokenizerFingerprint(tokens: try file.strings("tokenizer.ggml.tokens"))
}

/// A fingerprint as 16 lowercase hex digits (how `data.json` and messages show it).
public func fingerprintHex(_ fingerprint: UInt64) -> String {
    let hex = String(fingerprint, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
}
