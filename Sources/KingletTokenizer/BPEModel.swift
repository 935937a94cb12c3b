/// Byte-level BPE over raw bytes.
///
/// The vocabulary and merges are written in GPT-2's byte alphabet; they are converted once to the
/// raw byte strings they stand for, and every distinct string gets a *symbol* number. A word is
/// then merged as numbers: the pair table maps (left symbol, right symbol) to (rank, merged
/// symbol). This is llama.cpp's `llm_tokenizer_bpe_session` without string building.
struct BPEModel: Sendable {
    /// Token id of each vocabulary text, for the ignore-merges path (a whole word that is a token).
    private let vocabularyIDs: TokenTextIndex?
    /// Symbol → token id, or -1 when the string is not a token.
    private let tokenOfSymbol: [Int32]
    /// Byte → symbol of the one-byte string (-1 if no token or merge mentions it).
    private let byteSymbol: [Int32]
    /// (left << 32 | right) → (rank << 32 | merged).
    private let pairs: [UInt64: UInt64]
    /// Byte → token for llama.cpp's fallback when a merged string is not a token: it looks up each
    /// byte of the *encoded* string alone, which only finds printable ASCII.
    private let fallbackToken: [Int32]
    let ignoreMerges: Bool

    init(vocab: Vocabulary, merges: [String], ignoreMerges: Bool) {
        // Symbols are interned by their text in GPT-2's byte alphabet, which spells raw bytes
        // one-to-one; texts are short, so the keys are inline strings and the table stays small
        // (keying by [UInt8] arrays cost ~100k heap objects at load time).
        var symbols: [String: Int32] = [:]
        var tokenOfSymbol: [Int32] = []
        symbols.reserveCapacity(vocab.count + merges.count / 4)
        tokenOfSymbol.reserveCapacity(vocab.count)

        func intern(_ text: String) -> Int32 {
            if let s = symbols[text] { return s }
            let s = Int32(tokenOfSymbol.count)
            symbols[text] = s
            tokenOfSymbol.append(-1)
            return s
        }

        for id in 0 ..< vocab.count {
            let text = vocab.text(id)
            guard ByteLevel.bytes(of: text) != nil else { continue }  // unreachable by BPE
            tokenOfSymbol[Int(intern(text))] = Int32(id)  // a later duplicate wins
        }

        var pairs: [UInt64: UInt64] = [:]
        pairs.reserveCapacity(merges.count)
        for (rank, merge) in merges.enumerated() {
            // Split at the first space after the first byte, as llama.cpp does.
            let utf8 = Array(merge.utf8)
            guard let space = utf8.dropFirst().firstIndex(of: 0x20) else { continue }
            let leftText = String(decoding: utf8[..<space], as: UTF8.self)
            let rightText = String(decoding: utf8[(space + 1)...], as: UTF8.self)
            guard !leftText.isEmpty, !rightText.isEmpty,
                  ByteLevel.bytes(of: leftText) != nil, ByteLevel.bytes(of: rightText) != nil
            else { continue }  // can never fire
            let l = intern(leftText), r = intern(rightText)
            let key = UInt64(UInt32(l)) << 32 | UInt64(UInt32(r))
            if pairs[key] == nil {  // the first (lowest-rank) occurrence wins
                let m = intern(leftText + rightText)
                pairs[key] = UInt64(rank) << 32 | UInt64(UInt32(m))
            }
        }

        self.byteSymbol = (0 ..< 256).map { symbols[String(ByteLevel.encoder[$0])] ?? -1 }
        self.fallbackToken = (0 ..< 256).map { b in
            guard (0x21 ... 0x7E).contains(b) else { return -1 }
            return vocab.id(String(Unicode.Scalar(UInt8(b)))) ?? -1
        }
        self.vocabularyIDs = ignoreMerges ? vocab.index : nil
        self.tokenOfSymbol = tokenOfSymbol
        self.pairs = pairs
        self.ignoreMerges = ignoreMerges
    }

    /// Per-call working memory, so a long text allocates once.
    struct Scratch {
        var symbol: [Int32] = []
        var length: [Int32] = []
        var prev: [Int32] = []
        var next: [Int32] = []
        var queue = BPEMergeQueue()
    }

    /// Appends the tokens of one pre-tokenized word.
    func encode(word: UnsafeBufferPointer<UInt8>, scratch s: inout Scratch, into output: inout [Int32]) {
        let n = word.count
        guard n > 0 else { return }
        if ignoreMerges {
            var text = ""
            text.unicodeScalars.append(contentsOf: word.lazy.map { ByteLevel.encoder[Int($0)] })
            if let id = vocabularyIDs?.id(text) {
                output.append(id)
                return
            }
        }

        s.symbol.removeAll(keepingCapacity: true)
        s.length.removeAll(keepingCapacity: true)
        s.prev.removeAll(keepingCapacity: true)
        s.next.removeAll(keepingCapacity: true)
        s.queue.removeAll()
        for i in 0 ..< n {
            s.symbol.append(byteSymbol[Int(word[i])])
            s.length.append(1)
            s.prev.append(Int32(i - 1))
            s.next.append(i + 1 < n ? Int32(i + 1) : -1)
        }
        for i in 1 ..< n { addCandidate(Int32(i - 1), Int32(i), &s) }

        while let c = s.queue.pop() {
            let l = Int(c.left), r = Int(c.right)
            guard s.length[l] > 0, s.length[r] > 0,
                  s.symbol[l] == c.leftSymbol, s.symbol[r] == c.rightSymbol else { continue }  // stale
            s.symbol[l] = c.merged
            s.length[l] += s.length[r]
            s.length[r] = 0
            s.next[l] = s.next[r]
            if s.next[r] >= 0 { s.prev[Int(s.next[r])] = c.left }
            addCandidate(s.prev[l], c.left, &s)
            addCandidate(c.left, s.next[l], &s)
        }

        var i = 0
        while i >= 0 {
            let sym = s.symbol[i]
            let token = sym >= 0 ? tokenOfSymbol[Int(sym)] : -1
            if token >= 0 {
                output.append(token)
            } else {
                for j in i ..< i + Int(s.length[i]) where fallbackToken[Int(word[j])] >= 0 {
                    output.append(fallbackToken[Int(word[j])])
                }
            }
            i = Int(s.next[i])
        }
    }

    @inline(__always)
    private func addCandidate(_ left: Int32, _ right: Int32, _ s: inout Scratch) {
        guard left >= 0, right >= 0 else { return }
        let ls = s.symbol[Int(left)], rs = s.symbol[Int(right)]
        guard ls >= 0, rs >= 0 else { return }
        guard let hit = pairs[UInt64(UInt32(ls)) << 32 | UInt64(UInt32(rs))] else { return }
        s.queue.push(BPECandidate(
            rank: Int32(truncatingIfNeeded: hit >> 32), left: left, right: right,
            leftSymbol: ls, rightSymbol: rs, merged: Int32(truncatingIfNeeded: hit & 0xFFFF_FFFF)))
    }
}
