import KingletTokenizer
import Testing

/// Text arriving token by token never shows half a character.
@Suite("Streaming detokenizer")
struct StreamingDetokenizerTests {
    /// A vocabulary of single bytes, so any byte split can be fed as tokens.
    static let bytes = try! SyntheticVocab(control: ["<|im_end|>"]).tokenizer()

    @Test("a 4-byte emoji split over four tokens appears once, whole")
    func emojiSplit() {
        var s = StreamingDetokenizer(tokenizer: Self.bytes)
        var outputs: [String] = []
        for b in "a😀b".utf8 { outputs.append(s.append(Int32(b))) }
        #expect(outputs == ["a", "", "", "", "😀", "b"])
        #expect(s.finish() == "")
    }

    @Test("ZWJ family and skin tones stream to the same text", arguments: ["👨‍👩‍👧‍👦", "👍🏽 ok", "日本語", "é"])
    func sequences(text: String) {
        var s = StreamingDetokenizer(tokenizer: Self.bytes)
        var out = ""
        for b in text.utf8 {
            let piece = s.append(Int32(b))
            #expect(!piece.contains("\u{FFFD}"))
            out += piece
        }
        out += s.finish()
        #expect(out == text)
    }

    @Test("an incomplete sequence at the end becomes U+FFFD on finish")
    func incompleteAtEnd() {
        var s = StreamingDetokenizer(tokenizer: Self.bytes)
        #expect(s.append(0x61) == "a")
        #expect(s.append(0xF0) == "")
        #expect(s.append(0x9F) == "")
        #expect(s.pendingByteCount == 2)
        #expect(s.finish() == "\u{FFFD}")
        #expect(s.pendingByteCount == 0)
    }

    @Test("bytes that can never be valid are replaced at once, not held back")
    func invalidInMiddle() {
        var s = StreamingDetokenizer(tokenizer: Self.bytes)
        #expect(s.append(0xFF) == "\u{FFFD}")
        #expect(s.append(0x80) == "\u{FFFD}")        // stray continuation byte
        #expect(s.append(0xE0) == "")                // could start a 3-byte sequence...
        #expect(s.append(0x80) == "\u{FFFD}\u{FFFD}") // ...but E0 80 is an overlong: both invalid
        #expect(s.append(0xED) == "")
        #expect(s.append(0xA0) == "\u{FFFD}\u{FFFD}") // ED A0: a surrogate
        #expect(s.append(0x7A) == "z")
    }

    @Test("control tokens are hidden by default and shown when asked")
    func control() throws {
        let endID = try #require(Self.bytes.id(forTokenText: "<|im_end|>"))
        var hidden = StreamingDetokenizer(tokenizer: Self.bytes)
        #expect(hidden.append(0x68) + hidden.append(endID) == "h")
        var shown = StreamingDetokenizer(tokenizer: Self.bytes, renderSpecial: true)
        #expect(shown.append(0x68) + shown.append(endID) == "h<|im_end|>")
    }
}
