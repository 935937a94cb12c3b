import KingletText

/// Every token's bytes as llama.cpp's `token_to_piece(special: true)` gives them, in one buffer.
///
/// - control, unknown, user-defined: the token text as written;
/// - normal: BPE undoes the byte alphabet (`Ġ` → space); SentencePiece turns `▁` into a space;
/// - byte (`<0x0A>`): that one byte;
/// - anything else (unused, undefined): nothing.
struct PieceTable: Sendable {
    private let storage: [UInt8]
    private let offsets: [Int32]  // [count + 1]

    init(vocab: Vocabulary, model: TokenizerModelKind) {
        var storage: [UInt8] = []
        var offsets: [Int32] = [0]
        storage.reserveCapacity(vocab.count * 6)
        offsets.reserveCapacity(vocab.count + 1)
        for i in 0 ..< vocab.count {
            let text = vocab.text(i)
            let attr = vocab.attributes[i]
            if !attr.isDisjoint(with: .partitioned) {
                storage.append(contentsOf: text.utf8)
            } else if attr.contains(.normal) {
                switch model {
                case .bytePairEncoding: storage.append(contentsOf: ByteLevel.decode(text))
                case .sentencePiece: storage.append(contentsOf: SentencePieceText.unescape(text).utf8)
                }
            } else if attr.contains(.byte) {
                storage.append(Self.byteValue(text))
            }
            offsets.append(Int32(storage.count))
        }
        self.storage = storage
        self.offsets = offsets
    }

    var count: Int { offsets.count - 1 }

    func piece(_ id: Int32) -> ArraySlice<UInt8> {
        guard id >= 0, Int(id) < count else { return [] }
        return storage[Int(offsets[Int(id)]) ..< Int(offsets[Int(id) + 1])]
    }

    /// The byte of a `<0xAB>` token: up to two hex digits from the fourth character on, as
    /// llama.cpp's `strtol(text.substr(3, 2), 16)` reads them (0 when there are none).
    static func byteValue(_ text: String) -> UInt8 {
        let u = Array(text.utf8)
        var value: UInt8 = 0
        for b in u.dropFirst(3).prefix(2) {
            guard let d = HexDigit.value(UInt32(b)) else { break }
            value = value << 4 | UInt8(d)
        }
        return value
    }
}

/// SentencePiece's visible space, U+2581 `▁`.
enum SentencePieceText {
    static let space = "\u{2581}"

    static func escape(_ s: String) -> String { s.replacingSpaces(with: space) }

    static func unescape(_ s: String) -> String { s.replacingOccurrencesOfSpaceMark() }
}

extension String {
    fileprivate func replacingSpaces(with mark: String) -> String {
        var out = ""
        out.reserveCapacity(utf8.count)
        for s in unicodeScalars {
            if s == " " { out.unicodeScalars.append(contentsOf: mark.unicodeScalars) } else { out.unicodeScalars.append(s) }
        }
        return out
    }

    fileprivate func replacingOccurrencesOfSpaceMark() -> String {
        var out = ""
        out.reserveCapacity(utf8.count)
        for s in unicodeScalars {
            out.unicodeScalars.append(s == "\u{2581}" ? " " : s)
        }
        return out
    }
}
