import KingletKernels

extension Attention {
    /// One query over the slots `runs` (in position order; the second is empty unless a ring
    /// wraps) of KV head `kvHead` in a Q8_0 / Q4_0 cache, as llama.cpp's flash-attention path on
    /// the CPU: the query quantized to Q8_0 and dotted with each key block in integers, the
    /// scaled (soft-capped) scores through a softmax, the value rows dequantized and summed in f32
    /// with the unnormalized weights, the sum divided once at the end. Heads of 64, 128, 256 …
    /// are Walsh–Hadamard rotated (`HeadRotation`), as llama.cpp does by default.
    /// q: [Dh] f32; scores: [positions] scratch; query: Dh / 32 · 34 bytes scratch; out: [Dh].
    func attendBlocks(_ q: UnsafePointer<Float>, cache: KVCache, kernels: KVBlockKernels, layer: Int, kvHead: Int,
                      runs: (Range<Int>, Range<Int>), scores: UnsafeMutablePointer<Float>,
                      query: UnsafeMutableRawPointer, out o: UnsafeMutablePointer<Float>) {
        precondition(headSize % 32 == 0, "a block KV cache needs heads of whole 32-element blocks (KVCache.validate)")
        guard let keys = cache.kBlocks, let values = cache.vBlocks else { preconditionFailure("not a block KV cache") }
        let rowBytes = cache.rowBytes
        let headBytes = cache.precision.rowBytes(headSize)!
        let base = cache.layerBase[layer] * rowBytes + kvHead * headBytes  // slot 0 of the layer, this head
        // Calls body(first slot, slots, index of the run's first position) for each run in order.
        @inline(__always) func forEachRun(_ body: (Int, Int, Int) -> Void) {
            body(runs.0.lowerBound, runs.0.count, 0)
            if !runs.1.isEmpty { body(runs.1.lowerBound, runs.1.count, runs.0.count) }
        }
        let rotated = HeadRotation.applies(headSize: headSize)
        if rotated {
            // Keys and values were stored rotated (Attention.callAsFunction): rotate the query
            // alike, and the output back at the end.
            withUnsafeTemporaryAllocation(of: Float.self, capacity: headSize) { buf in
                let qr = buf.baseAddress!
                qr.update(from: q, count: headSize)
                HeadRotation.rotate(qr, count: headSize)
                kernels.quantizeQuery(qr, into: query, headSize: headSize)
            }
        } else {
            kernels.quantizeQuery(q, into: query, headSize: headSize)
        }
        forEachRun { slot, count, n in
            kernels.scores(query: query, keys: keys + base + slot * rowBytes, stride: rowBytes, count: count,
                           headSize: headSize, into: scores + n)
        }
        let inv = softmaxNumerators(scores, count: runs.0.count + runs.1.count)
        o.update(repeating: 0, count: headSize)
        forEachRun { slot, count, n in
            kernels.accumulate(weights: scores + n, values: values + base + slot * rowBytes, stride: rowBytes,
                               count: count, headSize: headSize, into: o)
        }
        for i in 0 ..< headSize { o[i] *= inv }
        if rotated { HeadRotation.rotate(o, count: headSize) }
    }
}
