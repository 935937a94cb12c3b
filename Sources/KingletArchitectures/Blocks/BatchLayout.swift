/// Where each sequence of a batched forward pass sits in the stacked rows [T, ·] (continuous
/// batching): checked before any cache is touched, and shared by every architecture.
struct BatchLayout {
    /// One per sequence, in batch order: its first row, token count, cache position and cache.
    let segments: [Attention.Segment]
    /// T: the batch's rows, all sequences' new tokens together.
    let rowCount: Int
    private let selections: [LogitsSelection]

    /// Refuses a batch that would overflow a cache or names a token outside the vocabulary.
    init(_ batch: [SequenceInput], vocabularySize: Int) throws(ModelError) {
        var segments: [Attention.Segment] = []
        var row = 0
        for s in batch {
            let start = s.state.cache.count
            guard start + s.tokens.count <= s.state.cache.capacity else {
                throw .contextFull(needed: start + s.tokens.count, capacity: s.state.cache.capacity)
            }
            for t in s.tokens where t < 0 || Int(t) >= vocabularySize {
                throw .tokenOutOfRange(t, vocabularySize: vocabularySize)
            }
            segments.append(Attention.Segment(firstRow: row, tokens: s.tokens.count, start: start, cache: s.state.cache))
            row += s.tokens.count
        }
        self.segments = segments
        rowCount = row
        selections = batch.map(\.logits)
    }

    /// Each row's sequence position (for RoPE), with its sequence's segment.
    func forEachRow(_ body: (_ row: Int, _ position: Int, _ segment: Attention.Segment) -> Void) {
        for seg in segments {
            for i in 0 ..< seg.tokens { body(seg.firstRow + i, seg.start + i, seg) }
        }
    }

    /// Marks the new positions as filled in every sequence's cache (after the last layer).
    func commit() {
        for seg in segments { seg.cache.commit(count: seg.start + seg.tokens) }
    }

    /// The rows that need logits, in batch order: the last of a `.last` sequence, every row of an `.all` one.
    var logitRows: [Int] {
        var rows: [Int] = []
        for (selection, seg) in zip(selections, segments) where seg.tokens > 0 {
            rows += selection == .last ? [seg.firstRow + seg.tokens - 1] : Array(seg.firstRow ..< seg.firstRow + seg.tokens)
        }
        return rows
    }

    /// `logits` [logitRows.count, V] cut into each sequence's [1, V] or [T, V] (empty for a sequence without tokens).
    func split(_ logits: UnsafeMutablePointer<Float>, vocabularySize V: Int) -> [[Float]] {
        var out: [[Float]] = []
        var next = 0
        for (selection, seg) in zip(selections, segments) {
            let n = seg.tokens == 0 ? 0 : (selection == .last ? 1 : seg.tokens)
            out.append(Array(UnsafeBufferPointer(start: logits + next * V, count: n * V)))
            next += n
        }
        return out
    }
}
