extension Tokenizer {
    /// The bytes of one token, as llama.cpp's `llama_token_to_piece`.
    ///
    /// - Parameter special: render control and unknown tokens as their text (`<|im_end|>`);
    ///   when false they render as nothing. User-defined tokens always render.
    ///   An id outside the vocabulary renders as nothing.
    public func piece(_ id: Int32, special: Bool = true) -> [UInt8] {
        guard vocab.contains(id) else { return [] }
        if !special && !vocab.attributes[Int(id)].isDisjoint(with: .hiddenUnlessSpecial) { return [] }
        return Array(pieces.piece(id))
    }

    /// The bytes of a token sequence, as llama.cpp's `llama_detokenize(remove_special: false)`:
    /// the pieces concatenated, one leading space dropped when the vocabulary prefixes one
    /// (SentencePiece), then spaces before punctuation tidied for vocabularies that ask for it.
    public func decodeBytes(_ ids: [Int32], special: Bool = true) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(ids.count * 4)
        var stripSpace = addSpacePrefix
        for id in ids {
            var p = piece(id, special: special)[...]
            if stripSpace, p.first == 0x20 { p = p.dropFirst() }
            stripSpace = false
            out.append(contentsOf: p)
        }
        if cleanSpaces { Self.cleanUpSpaces(&out) }
        return out
    }

    /// The text of a token sequence; bytes that are not valid UTF-8 become U+FFFD.
    /// For text that arrives token by token, use `StreamingDetokenizer`.
    public func decode(_ ids: [Int32], special: Bool = true) -> String {
        String(decoding: decodeBytes(ids, special: special), as: UTF8.self)
    }

    /// llama.cpp's `clean_spaces` passes, in place, byte for byte: drop the space in " ?", " !",
    /// " .", " ,"; collapse " ' " to "'"; join " 's", " 'm", " 're", " 've" to the word before.
    static func cleanUpSpaces(_ text: inout [UInt8]) {
        let space: UInt8 = 0x20, quote: UInt8 = 0x27

        // Pass 1: " ?", " !", " .", " ,"
        var total = compact(&text, count: text.count) { t, i, _ in
            let x = t[i]
            return t[i - 1] == space && (x == 0x3F || x == 0x21 || x == 0x2E || x == 0x2C)
        }

        // Pass 2: " ' " → "'" (the following space is blanked and skipped)
        total = compact(&text, count: total) { t, i, n in
            guard t[i] == quote, i + 1 < n, t[i - 1] == space, t[i + 1] == space else { return false }
            i += 1
            t[i] = 0
            return true
        }

        // Pass 3: " 's", " 'm", " 're", " 've" lose their space (" 't", " 'd", " 'll" keep it)
        total = compact(&text, count: total) { t, i, n in
            guard t[i - 1] == space, t[i] == quote, i + 1 < n else { return false }
            let x1 = t[i + 1]
            if x1 == 0x73 || x1 == 0x6D { return true }  // s m
            guard x1 != 0x74, x1 != 0x64, i + 2 < n else { return false }  // not t d
            let x2 = t[i + 2]
            return (x1 == 0x72 && x2 == 0x65) || (x1 == 0x76 && x2 == 0x65)  // re ve
        }
        text.removeLast(text.count - total)
    }

    /// One `clean_spaces` pass over the first `count` bytes: each byte from the second on is
    /// copied down to the end of the kept text, over the byte before it when `dropsPrevious`
    /// (given the text, the byte's index, which it may advance past a skipped byte, and `count`)
    /// says so. Returns the count kept.
    @inline(__always)
    private static func compact(_ text: inout [UInt8], count: Int,
                                _ dropsPrevious: (inout [UInt8], inout Int, Int) -> Bool) -> Int {
        var total = count > 0 ? 1 : 0
        var i = 1
        while i < count {
            let x = text[i]
            if dropsPrevious(&text, &i, count) { total -= 1 }
            text[total] = x; total += 1
            i += 1
        }
        return total
    }
}
