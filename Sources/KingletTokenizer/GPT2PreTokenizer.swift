/// GPT-2's split:
/// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
///
/// Contractions are case-sensitive (`'S` is not one). A run of whitespace before a non-space
/// gives up its last character to the next word ("a   b" → "a", "  ", " b"); at the end of the
/// segment the whole run is one word.
public struct GPT2PreTokenizer: PreTokenizer {
    /// The pre-tokenizer (it has no settings).
    public init() {}

    /// Appends the words of `text.scalars[segment]` to `words` (see `PreTokenizer`).
    public func split(_ text: CodepointText, segment: Range<Int>, into words: inout [Range<Int>]) {
        var out = WordEmitter(start: segment.lowerBound)
        let end = segment.upperBound
        var pos = segment.lowerBound
        while pos < end {
            let c = text.scalars[pos].value
            let flags = text.classes[pos]

            // 's 't 'm 'd 're 've 'll
            if c == 0x27, pos + 1 < end {
                let n1 = text.scalars[pos + 1].value
                if n1 == 0x73 || n1 == 0x74 || n1 == 0x6D || n1 == 0x64 {  // s t m d
                    pos += 2; out.emit(upTo: pos, into: &words); continue
                }
                if pos + 2 < end {
                    let n2 = text.scalars[pos + 2].value
                    if (n1 == 0x72 && n2 == 0x65) || (n1 == 0x76 && n2 == 0x65) || (n1 == 0x6C && n2 == 0x6C) {
                        pos += 3; out.emit(upTo: pos, into: &words); continue
                    }
                }
            }

            let isSpace = c == 0x20
            var f2 = isSpace ? text.cls(pos + 1, in: segment) : flags
            // ' ?\p{L}+'
            if f2.contains(.letter) {
                if isSpace { pos += 1 }
                while f2.contains(.letter) { pos += 1; f2 = text.cls(pos, in: segment) }
                out.emit(upTo: pos, into: &words); continue
            }
            // ' ?\p{N}+'
            if f2.contains(.number) {
                if isSpace { pos += 1 }
                while f2.contains(.number) { pos += 1; f2 = text.cls(pos, in: segment) }
                out.emit(upTo: pos, into: &words); continue
            }
            // ' ?[^\s\p{L}\p{N}]+'
            if f2.isOther {
                if isSpace { pos += 1 }
                while f2.isOther { pos += 1; f2 = text.cls(pos, in: segment) }
                out.emit(upTo: pos, into: &words); continue
            }

            var spaces = 0
            while text.cls(pos + spaces, in: segment).contains(.whitespace) { spaces += 1 }
            pos = out.emitSpaces(spaces, at: pos, end: end, into: &words)
        }
    }
}
