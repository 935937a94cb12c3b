import KingletArchitectures
import KingletKernels

/// The logits of one chunk's scored positions.
public struct ChunkLogits: Sendable {
    /// Which chunk (0-based).
    public let chunk: Int
    /// [P, V]: row p holds the logits at position first + p.
    public let logits: [Float]
    /// [P]: the token each row predicts.
    public let targets: [Int32]
    /// V.
    public let vocabularySize: Int

    /// Row `p` as a buffer for the duration of `body`.
    public func withRow<R>(_ p: Int, _ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try logits.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[p * vocabularySize ..< (p + 1) * vocabularySize])) }
    }
}

/// Runs a model over a plan's chunks: each chunk from an empty KV cache, its prefix (positions
/// 0 ..< first) with logits for no row anyone reads, then its scored positions with logits for
/// every row, so the output head runs only where perplexity looks. `batch` tokens per forward
/// pass: several whole chunks side by side when batch ≥ 2 × context (llama.cpp's n_seq), a
/// chunk in pieces when batch < context.
struct ChunkEvaluator {
    let model: any LanguageModel
    let plan: ChunkPlan
    let batch: Int
    let bos: Int32?
    let precision: KVCache.Precision

    /// Chunks evaluated together in one pass.
    var chunksPerPass: Int { max(1, batch / plan.context) }

    /// The scored logits of `chunks` (consecutive), one [P, V] array each.
    func evaluate(_ tokens: [Int32], chunks: Range<Int>) throws(MicroscopeError) -> [ChunkLogits] {
        let layout = KVCache.Layout(model.config, contextLength: plan.context)
        let states = chunks.map { _ in ModelState(cache: KVCache(layout: layout, precision: precision)) }
        let inputs = chunks.map { plan.input(tokens, chunk: $0, bos: bos) }
        let first = plan.first
        _ = try feed(inputs.map { $0[0 ..< first] }, states: states, logits: .last)
        let rows = try feed(inputs.map { $0[first...] }, states: states, logits: .all)
        return chunks.enumerated().map { i, c in
            ChunkLogits(chunk: c, logits: rows[i], targets: plan.targets(tokens, chunk: c), vocabularySize: model.config.vocabularySize)
        }
    }

    /// Feeds each sequence its part, in pieces of at most `batch` tokens when one chunk fills a
    /// pass; returns each sequence's logits, the pieces' rows concatenated.
    private func feed(_ parts: [ArraySlice<Int32>], states: [ModelState], logits: LogitsSelection) throws(MicroscopeError) -> [[Float]] {
        let piece = chunksPerPass > 1 ? plan.context : batch
        var out = [[Float]](repeating: [], count: parts.count)
        var offset = 0
        let longest = parts.map(\.count).max() ?? 0
        while offset < longest {
            var inputs: [SequenceInput] = [], owners: [Int] = []
            for (i, part) in parts.enumerated() where offset < part.count {
                let lo = part.startIndex + offset, hi = min(lo + piece, part.endIndex)
                inputs.append(SequenceInput(tokens: Array(part[lo ..< hi]), state: states[i], logits: logits))
                owners.append(i)
            }
            let results: [[Float]]
            do { results = try model.forward(inputs) } catch { throw .model(error.errorDescription ?? "\(error)") }
            if logits == .all {
                for (j, i) in owners.enumerated() { if out[i].isEmpty { out[i] = results[j] } else { out[i] += results[j] } }
            }
            offset += piece
        }
        return out
    }
}
