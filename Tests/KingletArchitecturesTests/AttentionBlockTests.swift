import Foundation
@testable import KingletArchitectures
import KingletKernels
import Testing

/// The shared attention block on hand-sized inputs: scale, sliding window and soft-cap against
/// the formula, on a full cache and on a ring that wraps.
@Suite struct AttentionBlockTests {
    /// One head of size 2 over positions 0..<6; keys and values chosen so every position matters.
    static let keys: [[Float]] = [[1, 0], [0, 1], [1, 1], [-1, 0.5], [0.3, -0.7], [2, -1]]
    static let values: [[Float]] = [[1, 2], [3, -1], [0, 0.5], [-2, 1], [4, 4], [0.1, -3]]
    static let query: [Float] = [0.8, -0.6]

    /// softmax(cap·tanh(scale·q·k / cap)) · v over the last `window` positions up to `p`.
    static func expected(position p: Int, scale: Float, window: Int?, softcap: Float?) -> [Double] {
        let first = window.map { max(0, p - $0 + 1) } ?? 0
        let s = (first ... p).map { j -> Double in
            var x = Double(scale) * zip(query, keys[j]).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            if let c = softcap.map(Double.init) { x = c * tanh(x / c) }
            return x
        }
        let m = s.max()!, e = s.map { exp($0 - m) }, z = e.reduce(0, +)
        var out = [0.0, 0.0]
        for (i, j) in (first ... p).enumerated() { for d in 0 ..< 2 { out[d] += e[i] / z * Double(values[j][d]) } }
        return out
    }

    @Test(arguments: [(Float(0.5), Int?.none, Float?.none), (1, 3, nil), (2, nil, 0.7), (1.5, 2, 1.1)])
    func matchesTheFormula(scale: Float, window: Int?, softcap: Float?) {
        let attention = Attention(heads: 1, kvHeads: 1, headSize: 2, scale: scale, window: window, softcap: softcap)
        let layouts: [KVCache.Layout] = [
            KVCache.Layout(layers: [.full], contextLength: 6, rowSize: 2),
            // A ring of window + 1 slots: position p in slot p mod 4 (or 3), so it wraps.
            KVCache.Layout(layers: [.sliding(window: window ?? 6)], contextLength: 6, rowSize: 2, batchRoom: 1),
        ]
        for layout in layouts {
            for precision in [KVCache.Precision.f32, .f16] {
                let cache = KVCache(layout: layout, precision: precision)
                let pool = ThreadPool(threads: 1)
                for p in 0 ..< 6 {
                    var out: [Float] = [0, 0]
                    Self.query.withUnsafeBufferPointer { q in
                        Self.keys[p].withUnsafeBufferPointer { k in
                            Self.values[p].withUnsafeBufferPointer { v in
                                out.withUnsafeMutableBufferPointer { o in
                                    attention(q: q.baseAddress!, k: k.baseAddress!, v: v.baseAddress!, out: o.baseAddress!,
                                              segments: [Attention.Segment(firstRow: 0, tokens: 1, start: p, cache: cache)],
                                              layer: 0, pool: pool)
                                }
                            }
                        }
                    }
                    cache.commit(count: p + 1)
                    let want = Self.expected(position: p, scale: scale, window: window, softcap: softcap)
                    let tolerance = precision == .f32 ? 1e-6 : 1e-2  // F16 rounds q, k, v and probabilities
                    for d in 0 ..< 2 {
                        #expect(abs(Double(out[d]) - want[d]) < tolerance, "\(layout.layers[0]) \(precision) p=\(p) d=\(d)")
                    }
                }
            }
        }
    }
}
