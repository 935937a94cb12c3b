import Foundation
import KingletKernels

/// Causal grouped-query attention of a batch of T new tokens over the KV cache, with a logit
/// scale, an optional sliding window and an optional logit soft-cap.
///
/// Row at position p attends to positions max(0, p − window + 1) ... p (all of 0 ... p without a
/// window). Scores are s = scale · q·k, then cap · tanh(s / cap) with a soft-cap, then a softmax.
///
/// Memory is O(C) per worker (one score row), never O(C²). Scores and softmax are f32 (the
/// softmax sum in Double, as ggml). With an F16 cache (the default) the query and the
/// probabilities are rounded to F16 as llama.cpp's non-flash path does; a run of positions that
/// lies in one piece of the cache goes through the fused `HalfVector.attend`. A Q8_0 / Q4_0 cache
/// goes through its block kernels (AttentionBlocks.swift).
struct Attention {
    let heads: Int        // H
    let kvHeads: Int      // Hkv
    let headSize: Int     // Dh
    let scale: Float
    let window: Int?
    let softcap: Float?

    init(heads: Int, kvHeads: Int, headSize: Int, scale: Float, window: Int? = nil, softcap: Float? = nil) {
        self.heads = heads
        self.kvHeads = kvHeads
        self.headSize = headSize
        self.scale = scale
        self.window = window
        self.softcap = softcap
    }

    /// A run of consecutive batch rows that belong to one sequence.
    struct Segment {
        let firstRow: Int   // first row of this sequence in the batch
        let tokens: Int     // rows it owns
        let start: Int      // cache position of its first row
        let cache: KVCache
    }

    /// Stores the batch's keys and values in each sequence's cache at `layer` and attends.
    /// q: [T, H·Dh] (already rotated); k, v: [T, Hkv·Dh]; out: [T, H·Dh].
    ///
    /// A full layer stores every row, then attends. A sliding layer's ring holds its window plus
    /// a few new positions, so a long batch goes in rounds: store as many rows as leave the
    /// window of the first of them intact, attend them, go on (chunked prefill inside one pass).
    func callAsFunction(q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                        out: UnsafeMutablePointer<Float>, segments: [Segment], layer: Int, pool: ThreadPool) {
        let kvDim = kvHeads * headSize
        for s in segments {
            if let ring = s.cache.window(layer: layer) {
                precondition(window.map { $0 <= ring } ?? false,
                             "layer \(layer): attention window \(window.map(String.init) ?? "none") exceeds the cache's ring window \(ring)")
            }
        }
        var done = Array(repeating: 0, count: segments.count)
        while true {
            var round: [Segment] = []
            for (i, s) in segments.enumerated() where done[i] < s.tokens {
                let n = min(s.tokens - done[i], s.cache.rowsPerRound(layer: layer))
                let r = Segment(firstRow: s.firstRow + done[i], tokens: n, start: s.start + done[i], cache: s.cache)
                let rotated = s.cache.blockKernels != nil && HeadRotation.applies(headSize: headSize)
                for t in 0 ..< n {
                    let row = r.firstRow + t
                    guard rotated else {
                        s.cache.store(layer: layer, position: r.start + t, key: k + row * kvDim, value: v + row * kvDim)
                        continue
                    }
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * kvDim) { buf in
                        let kr = buf.baseAddress!, vr = kr + kvDim  // [Hkv·Dh] each
                        kr.update(from: k + row * kvDim, count: kvDim)
                        vr.update(from: v + row * kvDim, count: kvDim)
                        for h in 0 ..< kvHeads {
                            HeadRotation.rotate(kr + h * headSize, count: headSize)
                            HeadRotation.rotate(vr + h * headSize, count: headSize)
                        }
                        s.cache.store(layer: layer, position: r.start + t, key: kr, value: vr)
                    }
                }
                done[i] += n
                round.append(r)
            }
            if round.isEmpty { return }
            attend(q: q, out: out, segments: round, layer: layer, pool: pool)
        }
    }

    /// Attention of segments whose keys and values are already stored. Row `firstRow + i` of a
    /// segment sits at position `start + i`.
    private func attend(q: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, segments: [Segment],
                        layer: Int, pool: ThreadPool) {
        let group = heads / kvHeads
        let half = HalfVector.native
        // A prompt's rows over an F16 cache go a GQA group at a time (`HalfVector.attendGroup`:
        // each key and value row converted once for the group's query heads, the same numbers as
        // one head at a time); a few decoding rows keep one item per head, so every thread has one.
        let tokens = segments.reduce(0) { $0 + $1.tokens }
        let grouped = group > 1 && softcap == nil && tokens * kvHeads >= 8 * pool.threadCount
            && segments.allSatisfy { $0.cache.k16 != nil && $0.cache.blockKernels == nil }
        let unit = grouped ? group : 1  // query heads per work item
        let units = heads / unit
        // Work items: (segment, token, unit of heads), flattened; segment of item i found by prefix sums.
        var firstItem: [Int] = []
        var items = 0
        for s in segments { firstItem.append(items); items += s.tokens * units }
        let maxEnd = segments.map { $0.start + $0.tokens }.max() ?? 0
        let maxLen = window.map { min($0, maxEnd) } ?? maxEnd
        // Decoding a few tokens over a short cache is microseconds of work: waking the other
        // threads would cost more than it saves.
        let inline = items * maxLen * headSize < 1 << 16
        func forEachChunk(_ body: (Range<Int>) -> Void) {
            if inline { body(0 ..< items) } else { pool.parallelFor(items, body) }
        }
        forEachChunk { range in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: unit * maxLen + headSize) { buf in
                let scores = buf.baseAddress!          // [unit, positions]
                let qh = scores + unit * maxLen        // [Dh]
                var si = 0
                for item in range {
                    while si + 1 < segments.count && firstItem[si + 1] <= item { si += 1 }
                    while firstItem[si] > item { si -= 1 }
                    let seg = segments[si]
                    let local = item - firstItem[si]
                    // Tokens in zigzag order (first, last, second, second to last, …): a causal
                    // row costs its position, so contiguous pieces of items cost about the same.
                    let i = local / units, h = (local % units) * unit  // the item's first head
                    let t = i % 2 == 0 ? i / 2 : seg.tokens - 1 - i / 2
                    let cache = seg.cache
                    let position = seg.start + t
                    let first = window.map { max(0, position - $0 + 1) } ?? 0
                    let (run1, run2) = cache.slotRuns(layer: layer, positions: first ..< position + 1)
                    let base = cache.offset(layer: layer, position: 0) + (h / group) * headSize  // slot 0, KV head
                    let r = seg.firstRow + t
                    let qSrc = q + r * heads * headSize + h * headSize
                    let o = out + r * heads * headSize + h * headSize
                    if grouped {
                        if run2.isEmpty, let k16 = cache.k16, let v16 = cache.v16 {
                            let off = base + run1.lowerBound * cache.rowSize
                            half.attendGroup(.init(q: qSrc, queryStride: headSize, queries: unit, k: k16 + off, v: v16 + off,
                                                   stride: cache.rowSize, count: run1.count, headSize: headSize, scale: scale,
                                                   scores: scores, out: o, outStride: headSize))
                        } else {
                            for j in 0 ..< unit {
                                attendRuns(qSrc + j * headSize, cache: cache, base: base, runs: [run1, run2], scores: scores, qh: qh,
                                           out: o + j * headSize)
                            }
                        }
                        continue
                    }
                    if let kernels = cache.blockKernels {
                        attendBlocks(qSrc, cache: cache, kernels: kernels, layer: layer, kvHead: h / group, runs: (run1, run2),
                                     scores: scores, query: UnsafeMutableRawPointer(qh), out: o)
                        continue
                    }
                    if let k16 = cache.k16, let v16 = cache.v16, run2.isEmpty, softcap == nil {
                        let off = base + run1.lowerBound * cache.rowSize
                        half.attend(qSrc, k: k16 + off, v: v16 + off, stride: cache.rowSize, count: run1.count,
                                    headSize: headSize, scale: scale, scores: scores, out: o)
                        continue
                    }
                    attendRuns(qSrc, cache: cache, base: base, runs: [run1, run2], scores: scores, qh: qh, out: o)
                }
            }
        }
    }

    /// One query over the slots `runs` (in position order) of one KV head whose first slot is at
    /// element `base`: the F32 cache, and the F16 cache where the fused kernel does not apply
    /// (a wrapped ring, a soft-cap). Without a soft-cap, the same arithmetic as `HalfVector.attend`
    /// for F16 (a wrapped ring gives what a straight one does).
    private func attendRuns(_ q: UnsafePointer<Float>, cache: KVCache, base: Int, runs: [Range<Int>],
                            scores: UnsafeMutablePointer<Float>, qh: UnsafeMutablePointer<Float>,
                            out o: UnsafeMutablePointer<Float>) {
        let half = HalfVector.native
        let rowSize = cache.rowSize
        qh.update(from: q, count: headSize)
        if cache.k16 != nil { half.roundToHalf(qh, count: headSize) }
        var n = 0
        for run in runs {
            for slot in run {
                let off = base + slot * rowSize
                var s: Float
                if let k16 = cache.k16 { s = half.dot(qh, k16 + off, count: headSize) } else {
                    s = 0
                    let k = cache.k32! + off
                    for i in 0 ..< headSize { s += qh[i] * k[i] }
                }
                scores[n] = s
                n += 1
            }
        }
        o.update(repeating: 0, count: headSize)
        if let v16 = cache.v16 {
            if softcap == nil {
                // the one-query kernel's softmax, so a wrapped ring gives what a straight one does
                var mx = -Float.infinity
                for p in 0 ..< n {
                    scores[p] *= scale
                    mx = max(mx, scores[p])
                }
                half.softmaxRoundToHalf(scores, count: n, max: mx)
            } else {
                let inv = softmaxNumerators(scores, count: n)
                for p in 0 ..< n { scores[p] *= inv }
                half.roundToHalf(scores, count: n)
            }
            n = 0
            for run in runs {
                for slot in run {
                    half.axpy(scores[n], v16 + base + slot * rowSize, o, count: headSize)
                    n += 1
                }
            }
            return
        }
        let inv = softmaxNumerators(scores, count: n)
        let v32 = cache.v32!
        n = 0
        for run in runs {
            for slot in run {
                let a = scores[n] * inv, v = v32 + base + slot * rowSize
                for i in 0 ..< headSize { o[i] += a * v[i] }
                n += 1
            }
        }
    }

    /// Turns raw scores q·k into softmax numerators in place: s·scale, soft-capped when the model
    /// asks, then exp(s − max); returns 1 / Σ (summed in Double, as ggml). scores: [n].
    func softmaxNumerators(_ scores: UnsafeMutablePointer<Float>, count n: Int) -> Float {
        AttentionSoftmax.numerators(scores, count: n, scale: scale, softcap: softcap)
    }
}
