/// GPT-2's reversible byte-to-unicode alphabet.
///
/// Printable Latin-1 bytes (`!`...`~`, `¡`...`¬`, `®`...`ÿ`) stand for themselves; the other 68
/// bytes (controls, space, DEL, NBSP, soft hyphen, ...) map in order to U+0100, U+0101, ...
/// So a space byte is `Ġ` (U+0120) and a newline byte is `Ċ` (U+010A). Byte-level BPE vocabularies
/// are written in this alphabet; Kinglet runs BPE on raw bytes and converts the vocabulary once.
enum ByteLevel {
    /// Byte → the scalar that represents it.
    static let encoder: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: "\0", count: 256)
        var next: UInt32 = 256
        for b in 0 ..< 256 {
            if isPrintable(b) {
                table[b] = Unicode.Scalar(UInt8(b))
            } else {
                table[b] = Unicode.Scalar(next)!
                next += 1
            }
        }
        return table
    }()

    /// Scalar value (< 0x144) → byte + 1; 0 where the scalar represents no byte.
    static let decoder: [UInt16] = {
        var table = [UInt16](repeating: 0, count: 0x144)
        for (b, s) in encoder.enumerated() { table[Int(s.value)] = UInt16(b) + 1 }
        return table
    }()

    private static func isPrintable(_ b: Int) -> Bool {
        (0x21 ... 0x7E).contains(b) || (0xA1 ... 0xAC).contains(b) || (0xAE ... 0xFF).contains(b)
    }

    /// The byte a scalar of the alphabet stands for, or nil if it is not in the alphabet.
    @inline(__always)
    static func byte(for scalar: Unicode.Scalar) -> UInt8? {
        let v = Int(scalar.value)
        guard v < decoder.count, decoder[v] != 0 else { return nil }
        return UInt8(decoder[v] - 1)
    }

    /// The raw bytes a vocabulary text spells, or nil if it uses a scalar outside the alphabet
    /// (such a text can never be produced by byte-encoding input, so BPE can never reach it).
    static func bytes(of text: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for s in text.unicodeScalars {
            guard let b = byte(for: s) else { return nil }
            out.append(b)
        }
        return out
    }

    /// Decodes a vocabulary text to bytes the way llama.cpp's `llama_decode_text` does: scalars
    /// outside the alphabet become `[UNK_BYTE_0x<hex><text>]`.
    static func decode(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for s in text.unicodeScalars {
            if let b = byte(for: s) {
                out.append(b)
            } else {
                out.append(contentsOf: Array("[UNK_BYTE_0x".utf8))
                for u in String(s).utf8 { out.append(contentsOf: Array(hex2(u).utf8)) }
                out.append(contentsOf: Array(text.utf8))
                out.append(UInt8(ascii: "]"))
            }
        }
        return out
    }

    private static func hex2(_ b: UInt8) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: [digits[Int(b >> 4)], digits[Int(b & 15)]], as: UTF8.self)
    }
}
