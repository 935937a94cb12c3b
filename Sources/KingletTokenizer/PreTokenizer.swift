/// Splits text into words before BPE sees it (the role of the regex in a tokenizer.json).
///
/// Each conforming type is a hand-written scanner equivalent to llama.cpp's implementation of one
/// regex family, including its behaviour at segment ends, where `\s+(?!\S)` sees "nothing" rather
/// than a non-space.
public protocol PreTokenizer: Sendable {
    /// Appends the words of `text.scalars[segment]`, in order, as non-empty ranges that together
    /// cover the segment exactly.
    func split(_ text: CodepointText, segment: Range<Int>, into words: inout [Range<Int>])
}

extension PreTokenizer {
    /// The words of `text` as strings (for tests and diagnostics).
    public func words(_ text: String) -> [String] {
        let cps = CodepointText(text)
        var ranges: [Range<Int>] = []
        split(cps, segment: 0 ..< cps.count, into: &ranges)
        return ranges.map { r in
            var s = String.UnicodeScalarView()
            s.append(contentsOf: cps.scalars[r])
            return String(s)
        }
    }
}

/// Emits words at scanner positions, mirroring llama.cpp's `_add_token` (empty words are dropped).
struct WordEmitter {
    private(set) var previousEnd: Int

    init(start: Int) { previousEnd = start }

    @inline(__always)
    mutating func emit(upTo end: Int, into words: inout [Range<Int>]) {
        if end > previousEnd { words.append(previousEnd ..< end) }
        previousEnd = end
    }

    /// The last alternatives of the GPT-2 and Llama 3 splits, `\s+(?!\S)|\s+`, then any one
    /// character: `spaces` whitespace at `pos` are a word, less the last when the segment goes
    /// on (it leads the next word); with none, the character at `pos` is one. Returns the position after.
    @inline(__always)
    mutating func emitSpaces(_ spaces: Int, at pos: Int, end: Int, into words: inout [Range<Int>]) -> Int {
        let next = spaces > 1 && pos + spaces < end ? pos + spaces - 1 : pos + max(spaces, 1)
        emit(upTo: next, into: &words)
        return next
    }
}
