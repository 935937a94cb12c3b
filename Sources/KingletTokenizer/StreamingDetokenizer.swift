/// Turns ids into text one token at a time without ever emitting half a character.
///
/// A token may end in the middle of a multi-byte UTF-8 sequence (byte-level BPE splits emoji and
/// CJK freely). The detokenizer holds such a tail back until the bytes that complete it arrive.
/// Bytes that can never become valid UTF-8 are replaced by U+FFFD as soon as that is certain, and
/// `finish()` replaces a still-incomplete tail.
///
/// Pieces are llama.cpp's `token_to_piece` output. Unlike `Tokenizer.decode`, no leading space is
/// dropped for SentencePiece vocabularies: a stream usually continues a prompt, where
/// "▁Hello" means " Hello".
///
/// ```swift
/// var stream = StreamingDetokenizer(tokenizer: tok)
/// for id in generated { print(stream.append(id), terminator: "") }
/// print(stream.finish())
/// ```
public struct StreamingDetokenizer: Sendable {
    /// The tokenizer whose pieces are streamed.
    public let tokenizer: Tokenizer
    /// Render control tokens (`<|im_end|>`) as text; off by default, as for generated output.
    public let renderSpecial: Bool
    private var pending: [UInt8] = []

    /// A detokenizer with nothing pending.
    public init(tokenizer: Tokenizer, renderSpecial: Bool = false) {
        self.tokenizer = tokenizer
        self.renderSpecial = renderSpecial
    }

    /// Bytes received but not yet emitted (at most three: an incomplete UTF-8 sequence).
    public var pendingByteCount: Int { pending.count }

    /// Adds one token and returns the text that is now complete (possibly "").
    public mutating func append(_ id: Int32) -> String {
        pending.append(contentsOf: tokenizer.piece(id, special: renderSpecial))
        return appendBytesResult()
    }

    /// Adds raw bytes (for callers that already have pieces) and returns the complete text.
    public mutating func append(bytes: [UInt8]) -> String {
        pending.append(contentsOf: bytes)
        return appendBytesResult()
    }

    /// Emits whatever is held back, replacing an incomplete sequence with U+FFFD, and resets.
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    private mutating func appendBytesResult() -> String {
        let keep = UTF8Tail.incompleteSuffixLength(pending)
        let ready = pending.count - keep
        guard ready > 0 else { return "" }
        let text = String(decoding: pending[..<ready], as: UTF8.self)
        pending.removeFirst(ready)
        return text
    }
}

/// UTF-8 well-formedness at the end of a byte buffer.
enum UTF8Tail {
    /// Length of the suffix that is a valid *prefix* of a UTF-8 sequence but not yet a whole one
    /// (0 when the buffer ends on a complete character or on bytes that can never be valid).
    static func incompleteSuffixLength(_ bytes: [UInt8]) -> Int {
        let n = bytes.count
        guard n > 0 else { return 0 }
        // A sequence is at most 4 bytes, so its lead byte is within the last 3.
        for back in 1 ... min(3, n) {
            let lead = bytes[n - back]
            if lead & 0xC0 == 0x80 { continue }  // continuation: keep looking for the lead
            let need = sequenceLength(lead)
            guard need > back else { return 0 }  // complete (or ASCII, or an invalid lead)
            return isValidPrefix(bytes[(n - back)...]) ? back : 0
        }
        return 0
    }

    /// Total length announced by a lead byte; 1 for ASCII and for bytes that cannot lead.
    private static func sequenceLength(_ lead: UInt8) -> Int {
        switch lead {
        case 0xC2 ... 0xDF: return 2
        case 0xE0 ... 0xEF: return 3
        case 0xF0 ... 0xF4: return 4
        default: return 1
        }
    }

    /// Whether `s` (lead byte first) can still be completed to a well-formed sequence
    /// (Unicode Table 3-7: no overlongs, no surrogates, nothing above U+10FFFF).
    private static func isValidPrefix(_ s: ArraySlice<UInt8>) -> Bool {
        let b = Array(s)
        guard b.count >= 2 else { return true }
        let second = b[1]
        let secondOK: Bool
        switch b[0] {
        case 0xE0: secondOK = (0xA0 ... 0xBF).contains(second)
        case 0xED: secondOK = (0x80 ... 0x9F).contains(second)
        case 0xF0: secondOK = (0x90 ... 0xBF).contains(second)
        case 0xF4: secondOK = (0x80 ... 0x8F).contains(second)
        default: secondOK = second & 0xC0 == 0x80
        }
        return secondOK && b.dropFirst(2).allSatisfy { $0 & 0xC0 == 0x80 }
    }
}
