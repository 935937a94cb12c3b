import Foundation
import KingletKernels

/// Causal grouped-query attention of a batch of T new tokens over the KV cache.
///
/// Memory is O(C) per worker (one score row), never O(C²). Scores and softmax are f32 (the
/// softmax sum in Double, as ggml). With an F16 cache the query is rounded to F16 before the
/// dot product, as llama.cpp's F16 dot does.
struct Attention {
    let heads: Int        // H
    let kvHeads: Int      // Hkv
    let headSize: Int     // Dh

    /// q: [T, H·Dh] (already rotated); out: [T, H·Dh]. Token t sits at position `start + t`
    /// and attends to positions 0...start+t of `layer` in `cache`.
    func callAsFunction(q: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, tokens: Int,
                        start: Int, layer: Int, cache: KVCache, pool: ThreadPool) {
        let group = heads / kvHeads
        let scale = 1 / Float(headSize).squareRoot()
        let rowSize = cache.rowSize
        let base = cache.offset(layer: layer, position: 0)
        let half = HalfVector.native
        pool.parallelFor(tokens * heads) { range in
            let maxLen = start + tokens
            withUnsafeTemporaryAllocation(of: Float.self, capacity: maxLen + headSize) { buf in
                let scores = buf.baseAddress!          // [positions]
                let qh = scores + maxLen               // [Dh]
                for item in range {
                    let t = item / heads, h = item % heads
                    let kvh = h / group
                    let len = start + t + 1
                    let qSrc = q + t * heads * headSize + h * headSize
                    let o = out + t * heads * headSize + h * headSize
                    qh.update(from: qSrc, count: headSize)
                    if cache.precision == .f16 { half.roundToHalf(qh, count: headSize) }
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
                    for p in 0 ..< len { scores[p] *= inv }
                    // llama.cpp multiplies the F16 value cache by probabilities converted to F16.
                    if cache.precision == .f16 { half.roundToHalf(scores, count: len) }
                    o.update(repeating: 0, count: headSize)
                    for p in 0 ..< len {
                        let w = scores[p]
                        let off = base + p * rowSize + kvh * headSize
                        axpy(w, cache: cache, offset: off, into: o, count: headSize)
                    }
                }
            }
        }
    }

    @inline(__always)
    private func dot(_ q: UnsafePointer<Float>, cache: KVCache, offset: Int, count: Int) -> Float {
        if let k16 = cache.k16 {
            return HalfVector.native.dot(q, k16 + offset, count: count)
        }
        var s: Float = 0
        let k = cache.k32! + offset
        for i in 0 ..< count { s += q[i] * k[i] }
        return s
    }

    @inline(__always)
    private func axpy(_ a: Float, cache: KVCache, offset: Int, into y: UnsafeMutablePointer<Float>, count: Int) {
        if let v16 = cache.v16 {
            HalfVector.native.axpy(a, v16 + offset, y, count: count)
            return
        }
        let v = cache.v32! + offset
        for i in 0 ..< count { y[i] += a * v[i] }
    }
}
