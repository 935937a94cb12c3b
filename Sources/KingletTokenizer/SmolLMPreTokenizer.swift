/// `\p{N}` as a first split: every number scalar becomes its own segment, and the runs between
/// them are segments too. llama.cpp runs this stage with `std::regex` over a collapsed text, where
/// a scalar matches exactly when its general category is Nd, Nl or No.
public struct DigitsPreTokenizer: PreTokenizer {
    /// The pre-tokenizer (it has no settings).
    public init() {}

    /// Appends the words of `text.scalars[segment]` to `words` (see `PreTokenizer`).
    public func split(_ text: CodepointText, segment: Range<Int>, into words: inout [Range<Int>]) {
        var start = segment.lowerBound
        for i in segment where text.classes[i].contains(.number) {
            if i > start { words.append(start ..< i) }
            words.append(i ..< i + 1)
            start = i + 1
        }
        if start < segment.upperBound { words.append(start ..< segment.upperBound) }
    }
}

/// SmolLM's split (also StarCoder, Refact, Command-R, CodeShell, EXAONE, Minerva, Mellum 2):
/// digits one by one, then GPT-2's regex on what lies between them.
///
/// Because the GPT-2 stage runs per segment, whitespace before a digit is cut off from it:
/// "a  1" gives "a", "  ", "1" (plain GPT-2 would give "a", " ", " 1").
public struct SmolLMPreTokenizer: PreTokenizer {
    private let digits = DigitsPreTokenizer()
    private let gpt2 = GPT2PreTokenizer()

    /// The pre-tokenizer (it has no settings).
    public init() {}

    /// Appends the words of `text.scalars[segment]` to `words` (see `PreTokenizer`).
    public func split(_ text: CodepointText, segment: Range<Int>, into words: inout [Range<Int>]) {
        var segments: [Range<Int>] = []
        digits.split(text, segment: segment, into: &segments)
        for s in segments { gpt2.split(text, segment: s, into: &words) }
    }
}
