extension Tokenizer {
    /// The token ids of `text`.
    ///
    /// - Parameters:
    ///   - addSpecial: add BOS / EOS as the vocabulary asks (`addBOS`, `addEOS`). SmolLM2 adds
    ///     neither; Llama 3 adds BOS.
    ///   - parseSpecial: recognise control tokens written in the text (`<|im_start|>` becomes one
    ///     token). User-defined tokens are recognised either way, as in llama.cpp.
    ///   - literalAt: byte offsets of `text` where a special token's text must stay plain text
    ///     (it came from a message's content, not from the chat template): see
    ///     `specialTokenOccurrences(in:)`.
    public func encode(_ text: String, addSpecial: Bool = true, parseSpecial: Bool = true,
                       literalAt: Set<Int> = []) -> [Int32] {
        var output: [Int32] = []
        output.reserveCapacity(text.utf8.count / 3 + 2)
        if addSpecial, addBOS, let bos = special.bos { output.append(bos) }

        let utf8 = Array(text.utf8)
        utf8.withUnsafeBufferPointer { bytes in
            let fragments = splitter.split(bytes, parseSpecial: parseSpecial, literalAt: literalAt)
            switch engine {
            case .bpe(let bpe, let pre):
                encodeBPE(fragments, bytes, bpe, pre, &output)
            case .sentencePiece(let spm):
                encodeSentencePiece(fragments, bytes, spm, &output)
            }
        }

        if addSpecial, addEOS, let eos = special.eos { output.append(eos) }
        return output
    }

    /// The UTF-8 offsets in `text` where the text of a special token (control, user-defined or
    /// unknown) starts, overlapping occurrences included.
    public func specialTokenOccurrences(in text: String) -> [Int] {
        Array(text.utf8).withUnsafeBufferPointer { splitter.occurrences($0) }
    }

    private func encodeBPE(
        _ fragments: [TextFragment], _ bytes: UnsafeBufferPointer<UInt8>,
        _ bpe: BPEModel, _ pre: any PreTokenizer, _ output: inout [Int32]
    ) {
        var scratch = BPEModel.Scratch()
        var words: [Range<Int>] = []
        for fragment in fragments {
            switch fragment {
            case .token(let id):
                output.append(id)
            case .text(let range):
                // Scalars of the fragment, with the byte offset where each starts.
                let piece = UnsafeBufferPointer(rebasing: bytes[range])
                let text = String(decoding: piece, as: UTF8.self)
                let cps = CodepointText(text.unicodeScalars)
                var starts: [Int] = []
                starts.reserveCapacity(cps.count + 1)
                var offset = 0
                for s in cps.scalars { starts.append(offset); offset += UTF8.width(s) }
                starts.append(offset)

                words.removeAll(keepingCapacity: true)
                pre.split(cps, segment: 0 ..< cps.count, into: &words)
                for w in words {
                    let wordBytes = UnsafeBufferPointer(rebasing: piece[starts[w.lowerBound] ..< starts[w.upperBound]])
                    bpe.encode(word: wordBytes, scratch: &scratch, into: &output)
                }
            }
        }
    }

    private func encodeSentencePiece(
        _ fragments: [TextFragment], _ bytes: UnsafeBufferPointer<UInt8>,
        _ spm: SentencePieceModel, _ output: inout [Int32]
    ) {
        // llama.cpp prefixes a space to every text fragment that follows BOS, the start, or a
        // special token.
        var previousWasSpecial = true
        for fragment in fragments {
            switch fragment {
            case .token(let id):
                output.append(id)
                previousWasSpecial = true
            case .text(let range):
                var text = String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
                if addSpacePrefix && previousWasSpecial { text = " " + text }
                spm.encode(Array(SentencePieceText.escape(text).utf8), into: &output)
                previousWasSpecial = false
            }
        }
    }
}
