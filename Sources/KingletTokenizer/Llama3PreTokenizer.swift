/// Llama 3's split:
/// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
///
/// Differences from GPT-2: contractions ignore case; a letter run takes one preceding
/// non-letter, non-digit, non-newline character (" word", "(word", "\tword"); numbers come in
/// groups of at most three digits; punctuation keeps trailing newlines; whitespace ending in a
/// newline is cut just after the last newline.
public struct Llama3PreTokenizer: PreTokenizer {
    /// Longest digit group: 3 for Llama 3, 1 for Qwen 2.
    let maxDigits: Int

    /// Llama 3's pre-tokenizer (digit groups of three).
    public init() { maxDigits = 3 }

    init(maxDigits: Int) { self.maxDigits = maxDigits }

    /// Appends the words of `text.scalars[segment]` to `words` (see `PreTokenizer`).
    public func split(_ text: CodepointText, segment: Range<Int>, into words: inout [Range<Int>]) {
        var out = WordEmitter(start: segment.lowerBound)
        let end = segment.upperBound
        var pos = segment.lowerBound
        @inline(__always) func lower(_ v: UInt32) -> UInt32 { (0x41 ... 0x5A).contains(v) ? v | 0x20 : v }

        while pos < end {
            let c = text.scalars[pos].value
            let flags = text.classes[pos]

            // (?i:'s|'t|'re|'ve|'m|'ll|'d)
            if c == 0x27, pos + 1 < end {
                let n1 = lower(text.scalars[pos + 1].value)
                if n1 == 0x73 || n1 == 0x74 || n1 == 0x6D || n1 == 0x64 {
                    pos += 2; out.emit(upTo: pos, into: &words); continue
                }
                if pos + 2 < end {
                    let n2 = lower(text.scalars[pos + 2].value)
                    if (n1 == 0x72 && n2 == 0x65) || (n1 == 0x76 && n2 == 0x65) || (n1 == 0x6C && n2 == 0x6C) {
                        pos += 3; out.emit(upTo: pos, into: &words); continue
                    }
                }
            }

            // [^\r\n\p{L}\p{N}]?\p{L}+
            if !(c == 0x0D || c == 0x0A || flags.contains(.number)) {
                if flags.contains(.letter) || text.cls(pos + 1, in: segment).contains(.letter) {
                    pos += 1
                    while text.cls(pos, in: segment).contains(.letter) { pos += 1 }
                    out.emit(upTo: pos, into: &words); continue
                }
            }

            // \p{N}{1,maxDigits}
            if flags.contains(.number) {
                var groupStart = pos
                while text.cls(pos, in: segment).contains(.number) {
                    pos += 1
                    if pos - groupStart >= maxDigits {
                        out.emit(upTo: pos, into: &words)
                        groupStart = pos
                    }
                }
                out.emit(upTo: pos, into: &words); continue
            }

            // ' ?[^\s\p{L}\p{N}]+[\r\n]*'. As in llama.cpp, a lone space at the segment end also
            // lands here (and comes out as the one-character word " ", as `\s+` would give).
            var f2 = c == 0x20 ? text.cls(pos + 1, in: segment) : flags
            if f2.isOther || f2.isEmpty {
                if c == 0x20 { pos += 1 }
                while f2.isOther { pos += 1; f2 = text.cls(pos, in: segment) }
                var c2 = text.value(pos, in: segment)
                while c2 == 0x0D || c2 == 0x0A { pos += 1; c2 = text.value(pos, in: segment) }
                out.emit(upTo: pos, into: &words); continue
            }

            var spaces = 0
            var afterLastNewline = 0
            while text.cls(pos + spaces, in: segment).contains(.whitespace) {
                let c2 = text.scalars[pos + spaces].value
                if c2 == 0x0D || c2 == 0x0A { afterLastNewline = pos + spaces + 1 }
                spaces += 1
            }
            // \s*[\r\n]+
            if afterLastNewline > 0 {
                pos = afterLastNewline; out.emit(upTo: pos, into: &words); continue
            }
            pos = out.emitSpaces(spaces, at: pos, end: end, into: &words)
        }
    }
}

/// Qwen 2's split: Llama 3's, but digits one at a time (`\p{N}` instead of `\p{N}{1,3}`).
/// Also used for StableLM 2, Hunyuan, Solar Open, Grok 2 and Megrez.
public struct Qwen2PreTokenizer: PreTokenizer {
    private let scanner = Llama3PreTokenizer(maxDigits: 1)

    /// The pre-tokenizer (it has no settings).
    public init() {}

    /// Appends the words of `text.scalars[segment]` to `words` (see `PreTokenizer`).
    public func split(_ text: CodepointText, segment: Range<Int>, into words: inout [Range<Int>]) {
        scanner.split(text, segment: segment, into: &words)
    }
}
