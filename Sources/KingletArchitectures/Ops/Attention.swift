import Foundation
import KingletKernels

/// Causal grouped-query attention of a batch of T new tokens over the KV cache.
///
/// Memory is O(C) per worker (one score row), never O(C²). Scores and softmax are f32 (the
/// softmax sum in Double, as ggml). With an F16 cache (the default) each query row runs through
/// `HalfVector.attend`, which rounds the query and the probabilities to F16 as llama.cpp's
/// non-flash path does.
struct Attention {
    let heads: Int        // H
    let kvHeads: Int      // Hkv
    let headSize: Int     // Dh

    /// A run of consecutive batch rows that belong to one sequence.
    struct Segment {
        let firstRow: Int   // first row of this sequence in the batch
        let tokens: Int     // rows it owns
        let start: Int      // cache position of its first row
        let cache: KVCache
    }

    /// q: [T, H·Dh] (already rotated); out: [T, H·Dh]. Row `firstRow + i` of a segment sits at
    /// position `start + i` and attends to positions 0...start+i of that segment's cache.
    func callAsFunction(q: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, segments: [Segment],
                        layer: Int, pool: ThreadPool) {
        let group = heads / kvHeads
        let scale = 1 / Float(headSize).squareRoot()
        let half = HalfVector.native
        // Work items: (segment, token, head), flattened; segment of item i found by prefix sums.
        var firstItem: [Int] = []
        var items = 0
        for s in segments { firstItem.append(items); items += s.tokens * heads }
        let maxLen = segments.map { $0.start + $0.tokens }.max() ?? 0
        // Decoding a few tokens over a short cache is microseconds of work: waking the other
        // threads would cost more than it saves.
        let inline = items * maxLen * headSize < 1 << 16
        func forEachChunk(_ body: (Range<Int>) -> Void) {
            if inline { body(0 ..< items) } else { pool.parallelFor(items, body) }
        }
        forEachChunk { range in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: maxLen + headSize) { buf in
                let scores = buf.baseAddress!          // [positions]
                let qh = scores + maxLen               // [Dh]
                var si = 0
                for item in range {
                    while si + 1 < segments.count && firstItem[si + 1] <= item { si += 1 }
                    while firstItem[si] > item { si -= 1 }
                    let seg = segments[si]
                    let local = item - firstItem[si]
                    let t = local / heads, h = local % heads
                    let cache = seg.cache
                    let rowSize = cache.rowSize
                    let base = cache.offset(layer: layer, position: 0)
                    let kvh = h / group
                    let len = seg.start + t + 1
                    let r = seg.firstRow + t
                    let qSrc = q + r * heads * headSize + h * headSize
                    let o = out + r * heads * headSize + h * headSize
                    if let k16 = cache.k16, let v16 = cache.v16 {
                        let off = base + kvh * headSize
                        half.attend(qSrc, k: k16 + off, v: v16 + off, stride: rowSize, count: len,
                                    headSize: headSize, scale: scale, scores: scores, out: o)
                        continue
                    }
                    // F32 cache: the same computation without F16 rounding.
                    qh.update(from: qSrc, count: headSize)
                    var maxScore = -Float.infinity
                    for p in 0 ..< len {
                        let off = base + p * rowSize + kvh * headSize
                        let s = dot(qh, cache: cache, offset: off, count: headSize) * scale
                        scores[p] = s
                        maxScore = max(maxScore, s)
                    }
                    var sum: Double = 0
                    for p in 0 ..< len {
                        let e = expf(scores[p] - maxScore)
                        scores[p] = e
                        sum += Double(e)
                    }
                    let inv = Float(1 / sum)
                    o.update(repeating: 0, count: headSize)
                    for p in 0 ..< len {
                        let off = base + p * rowSize + kvh * headSize
                        axpy(scores[p] * inv, cache: cache, offset: off, into: o, count: headSize)
                    }
                }
            }
        }
    }

    @inline(__always)
    private func dot(_ q: UnsafePointer<Float>, cache: KVCache, offset: Int, count: Int) -> Float {
        var s: Float = 0
        let k = cache.k32! + offset
        for i in 0 ..< count { s += q[i] * k[i] }
        return s
    }

    @inline(__always)
    private func axpy(_ a: Float, cache: KVCache, offset: Int, into y: UnsafeMutablePointer<Float>, count: Int) {
        let v = cache.v32! + offset
        for i in 0 ..< count { y[i] += a * v[i] }
    }
}
