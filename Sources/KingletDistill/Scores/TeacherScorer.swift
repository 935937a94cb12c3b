import KingletArchitectures
import KingletKernels
import KingletRuntime

/// Scores sequences with a local teacher: one teacher-forced forward pass per sequence, batched
/// across sequences, each logits row reduced to its top k + tail on all threads.
///
/// Per batch, two passes: the prompts up to their last token (logits of the last row only), then
/// from the last prompt token to the second-to-last token with logits for every row — exactly
/// the `scoredPositions` rows, so the output head never runs for prompt rows nobody reads.
public final class TeacherScorer: @unchecked Sendable {
    public let model: any LanguageModel
    public let pool: ThreadPool
    /// Entries kept per position.
    public let k: Int
    /// Tokens per forward pass (sequences are packed up to this; a longer one goes alone).
    /// Memory: about 2 × tokens × V × 4 bytes of logits.
    public var maxBatchTokens: Int
    /// KV cache precision. F16 (the default, as in generation) takes the fast attention path;
    /// F32 removes the cache's rounding (about 1e-3 in the logits) at a cost in speed.
    public var cachePrecision: KVCache.Precision

    public init(model: any LanguageModel, pool: ThreadPool, k: Int = 32, maxBatchTokens: Int = 1024, cachePrecision: KVCache.Precision = .f16) {
        precondition(k >= 1 && k <= 1 << 16, "k must be in 1...65536")
        precondition(maxBatchTokens >= 1, "maxBatchTokens must be positive")
        self.model = model
        self.pool = pool
        self.k = k
        self.maxBatchTokens = maxBatchTokens
        self.cachePrecision = cachePrecision
    }

    /// Scores with an engine's model, threads and KV cache precision.
    public convenience init(engine: Engine, k: Int = 32, maxBatchTokens: Int = 1024) {
        self.init(model: engine.model, pool: engine.pool, k: k, maxBatchTokens: maxBatchTokens, cachePrecision: engine.options.cachePrecision)
    }

    /// One record per sequence, in order.
    public func score(_ sequences: [ScoredSequence]) throws(ScoreError) -> [ScoreRecord] {
        let c = model.config
        for s in sequences {
            try s.validate(vocabularySize: c.vocabularySize)
            guard s.tokens.count <= c.contextLength else {
                throw .invalidSequence(id: s.id, reason: "\(s.tokens.count) tokens exceed the teacher's context of \(c.contextLength)")
            }
        }
        var out: [ScoreRecord] = []
        out.reserveCapacity(sequences.count)
        var start = 0
        while start < sequences.count {
            var end = start + 1, tokens = sequences[start].tokens.count
            while end < sequences.count, tokens + sequences[end].tokens.count <= maxBatchTokens {
                tokens += sequences[end].tokens.count
                end += 1
            }
            out += try scoreBatch(Array(sequences[start ..< end]))
            start = end
        }
        return out
    }

    private func scoreBatch(_ batch: [ScoredSequence]) throws(ScoreError) -> [ScoreRecord] {
        let c = model.config
        let states = batch.map { s in
            ModelState(cache: KVCache(layout: KVCache.Layout(c, contextLength: max(s.tokens.count, 1)), precision: cachePrecision))
        }
        var prefixes: [SequenceInput] = [], scored: [SequenceInput] = [], scoredIndex: [Int] = []
        for (i, s) in batch.enumerated() {
            let positions = s.scoredPositions
            guard !positions.isEmpty else { continue }   // no completion: nothing to run
            if positions.lowerBound > 0 {
                prefixes.append(SequenceInput(tokens: Array(s.tokens[..<positions.lowerBound]), state: states[i], logits: .last))
            }
            scored.append(SequenceInput(tokens: Array(s.tokens[positions]), state: states[i], logits: .all))
            scoredIndex.append(i)
        }
        let logits: [[Float]]   // per scored sequence [P, V]
        do {
            if !prefixes.isEmpty { _ = try model.forward(prefixes) }
            logits = scored.isEmpty ? [] : try model.forward(scored)
        } catch {
            throw .model(error.errorDescription ?? "\(error)")
        }

        var records = batch.map { s in
            ScoreRecord(id: s.id, contentHash: s.contentHash, k: k, ids: [], logprobs: [], tailLogMass: [])
        }
        for (j, i) in scoredIndex.enumerated() {
            records[i] = try reduce(logits[j], sequence: batch[i], vocabularySize: c.vocabularySize)
        }
        return records
    }

    /// Reduces [P, V] logits to a record, rows spread over the pool (each row is independent,
    /// so the result does not depend on which thread takes which row).
    private func reduce(_ logits: [Float], sequence s: ScoredSequence, vocabularySize V: Int) throws(ScoreError) -> ScoreRecord {
        let P = logits.count / V
        var ids = [Int32](repeating: 0, count: P * k)          // [P, k]
        var logprobs = [Float](repeating: 0, count: P * k)     // [P, k]
        var tails = [Float](repeating: .nan, count: P)         // [P]; NaN marks a failed row
        let k = self.k
        logits.withUnsafeBufferPointer { l in
            ids.withUnsafeMutableBufferPointer { ids in
                logprobs.withUnsafeMutableBufferPointer { lp in
                    tails.withUnsafeMutableBufferPointer { tails in
                        pool.parallelFor(P) { rows in
                            for p in rows {
                                let row = UnsafeBufferPointer(rebasing: l[p * V ..< (p + 1) * V])
                                tails[p] = TopKLogSoftmax.reduce(row, k: k, ids: ids.baseAddress! + p * k,
                                                                 logprobs: lp.baseAddress! + p * k) ?? .nan
                            }
                        }
                    }
                }
            }
        }
        if let bad = tails.firstIndex(where: \.isNaN) {
            throw .nonFiniteLogits(id: s.id, position: s.scoredPositions.lowerBound + bad)
        }
        return ScoreRecord(id: s.id, contentHash: s.contentHash, k: k, ids: ids, logprobs: logprobs, tailLogMass: tails)
    }
}
