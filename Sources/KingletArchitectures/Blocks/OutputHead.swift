import KingletKernels

/// Names an intermediate for the trace hook (llama.cpp's `cb(cur, "attn_norm", il)`); costs
/// nothing when no hook is set. Traced only for a batch of one sequence.
struct Trace {
    let hook: TraceHook?

    init(_ batch: [SequenceInput]) { hook = batch.count == 1 ? batch[0].state.trace : nil }

    /// values: [n]
    @inline(__always) func callAsFunction(_ name: String, _ layer: Int, _ values: UnsafePointer<Float>, _ n: Int) {
        hook?(name, layer, UnsafeBufferPointer(start: values, count: n))
    }
}

extension BatchLayout {
    /// Looks up every row's token in the embedding table, times `scale` (Gemma: √D).
    /// x: [T, D]; table: [V, D].
    func embed(_ batch: [SequenceInput], table: WeightMatrix, scale: Float = 1, into x: UnsafeMutablePointer<Float>) {
        let D = table.cols
        for (s, seg) in zip(batch, segments) {
            for (i, id) in s.tokens.enumerated() {
                Kernels.dequantizeRow(table, row: Int(id), into: x + (seg.firstRow + i) * D)
            }
        }
        if scale != 1 { scaleInPlace(x, by: scale, count: rowCount * D) }
    }
}

/// The final RMSNorm and the output head, only for the rows that need logits, in one product;
/// with an optional final soft-cap (Gemma 2).
struct OutputHead {
    let norm: UnsafePointer<Float>   // [D]
    let output: WeightMatrix         // [V, D]
    let epsilon: Float
    let softcap: Float?

    /// x: [T, D] residual stream; normed: [≥ logit rows, D] scratch. Returns each sequence's logits.
    ///
    /// One sequence (generation, scoring, perplexity) gets the product written straight into the
    /// array it is handed: no scratch and no copy (a token of Gemma 3 copied 1 MB of logits, and a
    /// 512-token perplexity chunk held 512 MB twice). Several sequences share one product over all
    /// their rows, then each gets its part.
    func callAsFunction(_ x: UnsafePointer<Float>, layout: BatchLayout, normed: UnsafeMutablePointer<Float>,
                        scratch: ScratchBuffers, trace: Trace, pool: ThreadPool) -> [[Float]] {
        let D = output.cols, V = output.rows
        let rows = layout.logitRows
        for (i, r) in rows.enumerated() {
            rmsNorm(x + r * D, weight: norm, normed + i * D, rows: 1, size: D, epsilon: epsilon)
        }
        trace("result_norm", -1, normed, rows.count * D)
        func product(into logits: UnsafeMutablePointer<Float>) {  // [rows, V]
            Kernels.matmul(output, normed, n: rows.count, logits, pool: pool)
            if let cap = softcap { softcapInPlace(logits, cap: cap, count: rows.count * V) }
        }
        if layout.segments.count == 1 {
            guard !rows.isEmpty else { return [[]] }
            return [[Float](unsafeUninitializedCapacity: rows.count * V) { buffer, count in
                product(into: buffer.baseAddress!)
                count = rows.count * V
            }]
        }
        let logits = scratch("logits", rows.count * V)
        product(into: logits)
        return layout.split(logits, vocabularySize: V)
    }
}
