import Foundation
import KingletArchitectures
import KingletKernels
import Testing
@testable import KingletTraining

/// Deterministic test data.
struct TestRandom {
    var rng: SplitMix64
    init(_ seed: UInt64) { rng = SplitMix64(state: seed) }
    mutating func floats(_ n: Int, scale: Float = 1) -> [Float] { (0 ..< n).map { _ in Float(rng.normal()) * scale } }
    mutating func ints(_ n: Int, below: Int) -> [Int32] { (0 ..< n).map { _ in Int32(rng.next() % UInt64(below)) } }
}

extension TrainableLlama {
    /// A model of `config` whose matrices and embedding hold N(0, 0.3²) values from `TestRandom(8)`:
    /// larger than the 0.02 init, so every path carries signal.
    static func withLargeWeights(_ config: ModelConfig, seed: UInt64 = 42) -> TrainableLlama {
        let model = TrainableLlama(config: config, seed: seed, pool: nil)
        var r = TestRandom(8)
        for t in model.layout.tensors where t.decays {
            let w = r.floats(t.count, scale: 0.3)
            for i in 0 ..< t.count { model.parameters.pointer[t.offset + i] = w[i] }
        }
        return model
    }
}

/// Central finite differences of `f` with respect to x[i] for each i in `indices`.
/// The loss is accumulated in Double; x stays Float32 (the ops are Float32).
func numericGradient(_ x: inout [Float], indices: [Int], h: Float, _ f: ([Float]) -> Double) -> [Double] {
    indices.map { i in
        let saved = x[i]
        x[i] = saved + h
        let up = f(x)
        x[i] = saved - h
        let down = f(x)
        x[i] = saved
        return (up - down) / Double(2 * h)
    }
}

/// ‖a − b‖ / max(‖a‖, ‖b‖): a scale-free error for a whole gradient.
func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    var diff = 0.0, na = 0.0, nb = 0.0
    for i in a.indices { diff += (a[i] - b[i]) * (a[i] - b[i]); na += a[i] * a[i]; nb += b[i] * b[i] }
    return diff.squareRoot() / max(na.squareRoot(), nb.squareRoot(), 1e-12)
}

/// Σ r ⊙ y in Double: a random linear functional, so dL/dy = r.
func project(_ y: UnsafePointer<Float>, _ r: [Float]) -> Double {
    var s = 0.0
    for i in r.indices { s += Double(y[i]) * Double(r[i]) }
    return s
}

/// Up to `limit` evenly spread indices of 0..<count.
func sampleIndices(_ count: Int, limit: Int) -> [Int] {
    count <= limit ? Array(0 ..< count) : (0 ..< limit).map { $0 * count / limit }
}
