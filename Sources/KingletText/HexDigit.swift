/// Hexadecimal digits, as JSON's `\u` escapes, GBNF's `\x`/`\u`/`\U` escapes and streamed tool-call
/// arguments spell them.
public enum HexDigit {
    /// The value of the digit `c` (a code point or byte: `0`–`9`, `a`–`f`, `A`–`F`), nil for anything else.
    @inlinable
    public static func value(_ c: UInt32) -> UInt32? {
        switch c {
        case 0x30 ... 0x39: return c - 0x30
        case 0x61 ... 0x66: return c - 0x61 + 10
        case 0x41 ... 0x46: return c - 0x41 + 10
        default: return nil
        }
    }
}
