import KingletTokenizer
import Testing

/// Word splits, checked against the regexes' meaning (verified with Python's `regex` module) and
/// llama.cpp's segment-end behaviour.
@Suite("Pre-tokenizers")
struct PreTokenizerTests {
    let gpt2 = GPT2PreTokenizer()
    let smollm = SmolLMPreTokenizer()
    let llama3 = Llama3PreTokenizer()
    let qwen2 = Qwen2PreTokenizer()

    @Test("GPT-2: runs of spaces give their last space to the next word (\\s+(?!\\S))")
    func gpt2Spaces() {
        #expect(gpt2.words("a   b") == ["a", "  ", " b"])
        #expect(gpt2.words("a  b") == ["a", " ", " b"])
        #expect(gpt2.words("a b") == ["a", " b"])
        #expect(gpt2.words("end   ") == ["end", "   "])
        #expect(gpt2.words("  leading") == [" ", " leading"])
        #expect(gpt2.words("   ") == ["   "])
        #expect(gpt2.words(" ") == [" "])
    }

    @Test("GPT-2: newlines and tabs")
    func gpt2Newlines() {
        #expect(gpt2.words("a\n\nb") == ["a", "\n", "\n", "b"])
        #expect(gpt2.words("a\n\n b") == ["a", "\n\n", " b"])
        #expect(gpt2.words("a \n b") == ["a", " \n", " b"])
        #expect(gpt2.words("a\tb") == ["a", "\t", "b"])
        #expect(gpt2.words("\t\tword") == ["\t", "\t", "word"])
        #expect(gpt2.words("line\r\nnext") == ["line", "\r", "\n", "next"])
    }

    @Test("GPT-2: contractions are lower-case only")
    func gpt2Contractions() {
        #expect(gpt2.words("it's") == ["it", "'s"])
        #expect(gpt2.words("IT'S") == ["IT", "'", "S"])
        #expect(gpt2.words("we'll WE'LL") == ["we", "'ll", " WE", "'", "LL"])
        #expect(gpt2.words("don't they've I'm you'd we're") ==
            ["don", "'t", " they", "'ve", " I", "'m", " you", "'d", " we", "'re"])
        #expect(gpt2.words("'''s") == ["'''", "s"])
        #expect(gpt2.words("'") == ["'"])
    }

    @Test("GPT-2: letters, numbers and punctuation")
    func gpt2Classes() {
        #expect(gpt2.words("Hello, world!") == ["Hello", ",", " world", "!"])
        #expect(gpt2.words("abc 123") == ["abc", " 123"])
        #expect(gpt2.words("3.14") == ["3", ".", "14"])
        #expect(gpt2.words("(hello)") == ["(", "hello", ")"])
        #expect(gpt2.words("x ?!") == ["x", " ?!"])
        #expect(gpt2.words("naïve café") == ["naïve", " café"])
        #expect(gpt2.words("Русский язык") == ["Русский", " язык"])
        #expect(gpt2.words("中文字符") == ["中文字符"])
        #expect(gpt2.words("x²") == ["x", "²"])  // ² is \p{N} (No)
        #expect(gpt2.words("e\u{301}") == ["e", "\u{301}"])  // a combining mark is not \p{L}
    }

    @Test("GPT-2: emoji, ZWJ sequences and skin tones stay together as non-letters")
    func gpt2Emoji() {
        #expect(gpt2.words("a😀b") == ["a", "😀", "b"])
        #expect(gpt2.words(" 😀") == [" 😀"])
        #expect(gpt2.words("👨‍👩‍👧") == ["👨‍👩‍👧"])
        #expect(gpt2.words("👍🏽 ok") == ["👍🏽", " ok"])
        #expect(gpt2.words("🇫🇷🇩🇪") == ["🇫🇷🇩🇪"])
    }

    @Test("whitespace is llama.cpp's set: NBSP and ideographic space yes, U+001F no")
    func whitespaceSet() {
        #expect(gpt2.words("x\u{a0}\u{a0}y") == ["x", "\u{a0}", "\u{a0}", "y"])
        #expect(gpt2.words("x\u{3000}y") == ["x", "\u{3000}", "y"])
        #expect(gpt2.words("x\u{85}y") == ["x", "\u{85}", "y"])
        #expect(gpt2.words("x\u{1f}\u{1f}y") == ["x", "\u{1f}\u{1f}", "y"])  // punctuation-like
        #expect(CodepointClass.isWhitespace(0x2028))
        #expect(!CodepointClass.isWhitespace(0x200B))  // zero-width space is not White_Space
        #expect(!CodepointClass.isWhitespace(0x1C))
    }

    @Test("the empty text has no words")
    func empty() {
        for p in [gpt2, smollm, llama3, qwen2] as [any PreTokenizer] {
            #expect(p.words("").isEmpty)
        }
    }

    @Test("SmolLM: every digit alone, and whitespace before a digit stays apart")
    func smollmDigits() {
        #expect(smollm.words("abc123") == ["abc", "1", "2", "3"])
        #expect(smollm.words("abc 123") == ["abc", " ", "1", "2", "3"])
        #expect(smollm.words("a  1") == ["a", "  ", "1"])
        #expect(smollm.words("x²+y³") == ["x", "²", "+", "y", "³"])
        #expect(smollm.words("٣٤") == ["٣", "٤"])
        #expect(smollm.words("Ⅻ") == ["Ⅻ"])  // Nl is a number too
        #expect(smollm.words("It's 9:45 pm") == ["It", "'s", " ", "9", ":", "4", "5", " pm"])
    }

    @Test("Llama 3: case-insensitive contractions, one leading non-letter, digit triples")
    func llama3Rules() {
        #expect(llama3.words("IT'S") == ["IT", "'S"])
        #expect(llama3.words("we'll WE'LL") == ["we", "'ll", " WE", "'LL"])
        #expect(llama3.words("(hello)") == ["(hello", ")"])
        #expect(llama3.words("a\tb") == ["a", "\tb"])
        #expect(llama3.words("a😀b") == ["a", "😀b"])
        #expect(llama3.words("1234567") == ["123", "456", "7"])
        #expect(llama3.words("abc 123") == ["abc", " ", "123"])
        #expect(llama3.words("3.14") == ["3", ".", "14"])
    }

    @Test("Llama 3: newlines")
    func llama3Newlines() {
        #expect(llama3.words("a\n\nb") == ["a", "\n\n", "b"])
        #expect(llama3.words("a\n\n b") == ["a", "\n\n", " b"])
        #expect(llama3.words("x ?!\n\ny") == ["x", " ?!\n\n", "y"])
        #expect(llama3.words("\t\tword") == ["\t", "\tword"])
        #expect(llama3.words("a   b") == ["a", "  ", " b"])
        #expect(llama3.words("end  \n  ") == ["end", "  \n", "  "])
    }

    @Test("Qwen 2: Llama 3 with single digits")
    func qwen2Digits() {
        #expect(qwen2.words("1234") == ["1", "2", "3", "4"])
        #expect(qwen2.words("IT'S 3.14") == ["IT", "'S", " ", "3", ".", "1", "4"])
    }

    @Test("words always tile the input exactly", arguments: [
        "", "a", " \t\n\r ", "x = [i * 2 for i in range(10)]", "👨‍👩‍👧‍👦 and 🏳️‍🌈", "It's 9:45 pm; $1,299.99",
        "\u{0}\u{1}\u{7f}", "e\u{301}\u{302}", "日本語 のテキスト\n\n\t 한국어",
    ])
    func tiling(text: String) {
        for p in [gpt2, smollm, llama3, qwen2] as [any PreTokenizer] {
            let words = p.words(text)
            #expect(words.joined() == text)
            #expect(!words.contains(""))
        }
    }
}
