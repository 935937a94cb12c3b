import HeapModule

/// SentencePiece BPE (`tokenizer.ggml.model = "llama"`): Llama 2, Mistral v1, Gemma 1-3, ...
///
/// llama.cpp's `llm_tokenizer_spm_session`: start from UTF-8 characters, repeatedly merge the
/// adjacent pair whose concatenation is the highest-scoring token (ties: leftmost), then emit
/// each final piece as its token, or as `<0xXX>` byte tokens when it is not one.
/// Spaces are turned into `▁` by the caller before this runs.
struct SentencePieceModel: Sendable {
    private let tokenOfBytes: TokenTextIndex
    private let scores: [Float]
    /// Byte → `<0xXX>` token, else the one-byte token, else -1.
    private let byteToken: [Int32]
    private let unknown: Int32?

    init(vocab: Vocabulary, scores: [Float]?, unknown: Int32?) {
        let map = vocab.index
        tokenOfBytes = map
        self.scores = scores ?? Array(repeating: 0, count: vocab.count)
        let hex = Array("0123456789ABCDEF".utf8)
        byteToken = (0 ..< 256).map { b in
            let name: [UInt8] = [0x3C, 0x30, 0x78, hex[b >> 4], hex[b & 15], 0x3E]  // <0xAB>
            return map.id(name) ?? map.id([UInt8(b)]) ?? -1
        }
        self.unknown = unknown
    }

    /// A possible merge; the heap's maximum is llama.cpp's next merge: highest score, then leftmost.
    private struct Candidate: Comparable {
        var score: Float
        var left: Int32
        var right: Int32
        var size: Int32
        static func < (a: Candidate, b: Candidate) -> Bool {
            a.score < b.score || (a.score == b.score && a.left > b.left)
        }
    }

    /// Appends the tokens of `text` (already space-escaped) to `output`.
    func encode(_ text: [UInt8], into output: inout [Int32]) {
        var start: [Int] = [], length: [Int] = [], prev: [Int] = [], next: [Int] = []
        var offset = 0
        while offset < text.count {
            let lead = text[offset]
            let len = min(text.count - offset, lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4)
            start.append(offset); length.append(len)
            prev.append(start.count - 2)
            offset += len
            next.append(offset == text.count ? -1 : start.count)
        }
        guard !start.isEmpty else { return }

        var heap = Heap<Candidate>()
        func push(_ l: Int, _ r: Int) {
            guard l >= 0, r >= 0 else { return }
            let size = length[l] + length[r]
            guard let token = tokenOfBytes.id(text, start[l], size) else { return }
            heap.insert(Candidate(score: scores[Int(token)], left: Int32(l), right: Int32(r), size: Int32(size)))
        }

        for i in 1 ..< start.count { push(i - 1, i) }
        while let c = heap.popMax() {
            let l = Int(c.left), r = Int(c.right)
            guard length[l] > 0, length[r] > 0, length[l] + length[r] == Int(c.size) else { continue }
            length[l] += length[r]
            length[r] = 0
            next[l] = next[r]
            if next[r] >= 0 { prev[next[r]] = l }
            push(prev[l], l)
            push(l, next[l])
        }

        // Every merged piece is a token by construction, so llama.cpp's re-segmentation through
        // its merge history only ever reaches single characters; those fall back to bytes.
        var i = 0
        while i >= 0 {
            let piece = text[start[i] ..< start[i] + length[i]]
            if let token = tokenOfBytes.id(text, start[i], length[i]) {
                output.append(token)
            } else {
                for b in piece {
                    let t = byteToken[Int(b)]
                    if t >= 0 { output.append(t) } else if let unknown { output.append(unknown) }
                }
            }
            i = next[i]
        }
    }
}
