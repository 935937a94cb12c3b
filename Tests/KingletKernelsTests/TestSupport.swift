// Shared helpers: a seeded generator and random weight matrices in each block layout.
@testable import KingletKernels

/// SplitMix64: small, seedable, good enough for test data.
typealias SeededGenerator = SplitMix64

extension SplitMix64 {
    init(seed: UInt64) { self.init(state: seed) }
}

/// Owns the bytes of a random weight matrix of `type`, `rows` × `cols`.
final class RandomWeights {
    let bytes: UnsafeMutableRawPointer
    let matrix: WeightMatrix

    init(_ type: QuantType, rows: Int, cols: Int, rng: inout SeededGenerator) {
        let rowBytes = type.rowBytes(cols: cols)
        bytes = UnsafeMutableRawPointer.allocate(byteCount: rows * rowBytes, alignment: 64)
        for i in 0..<rows * rowBytes { bytes.storeBytes(of: UInt8.random(in: 0...255, using: &rng), toByteOffset: i, as: UInt8.self) }
        // Replace every scale (and float element) with a sane value: random bytes would give
        // inf/nan halfs and scales across 30 orders of magnitude.
        func half(_ range: ClosedRange<Float>) -> UInt16 { floatToHalf(Float.random(in: range, using: &rng)) }
        let blocks = rows * cols / type.blockSize
        for b in 0..<blocks {
            let block = bytes + b * type.blockBytes
            switch type {
            case .f32: block.storeBytes(of: Float.random(in: -1...1, using: &rng), as: Float.self)
            case .f16: block.storeBytes(of: half(-1...1), as: UInt16.self)
            case .bf16: block.storeBytes(of: floatToBF16(Float.random(in: -1...1, using: &rng)), as: UInt16.self)
            case .q4_0, .q5_0, .q8_0: block.storeBytes(of: half(0.001...0.05), as: UInt16.self)
            case .q4_1, .q5_1:
                block.storeBytes(of: half(0.001...0.05), as: UInt16.self)
                block.storeBytes(of: half(-0.4...0.1), toByteOffset: 2, as: UInt16.self)
            case .q4_K, .q5_K:   // d, dmin; the 6-bit sub-block scales and mins stay random
                block.storeBytes(of: half(0.0002...0.002), as: UInt16.self)
                block.storeBytes(of: half(0.0002...0.002), toByteOffset: 2, as: UInt16.self)
            case .q6_K: block.storeBytes(of: half(0.0002...0.002), toByteOffset: 208, as: UInt16.self)
            case .q2_K:   // d, dmin after the scales and quants
                block.storeBytes(of: half(0.0002...0.01), toByteOffset: 80, as: UInt16.self)
                block.storeBytes(of: half(0.0002...0.01), toByteOffset: 82, as: UInt16.self)
            case .q3_K: block.storeBytes(of: half(0.0002...0.002), toByteOffset: 108, as: UInt16.self)
            case .q8_1, .q8_K: fatalError("not a weight type")
            }
        }
        matrix = try! WeightMatrix(type: type, rows: rows, cols: cols, data: bytes)
    }

    deinit { bytes.deallocate() }
}

/// [count] floats, roughly like hidden states: mostly small with a few large outliers.
func randomActivations(_ count: Int, rng: inout SeededGenerator) -> [Float] {
    (0..<count).map { _ in
        let v = Float.random(in: -1...1, using: &rng)
        return Int.random(in: 0..<50, using: &rng) == 0 ? v * 20 : v
    }
}

/// Σ_c |W[r, c]| · |x[c]| in f32: the scale that float rounding errors are measured against.
func magnitude(_ w: WeightMatrix, row: Int, _ x: UnsafePointer<Float>) -> Float {
    var deq = [Float](repeating: 0, count: w.cols)
    ReferenceKernels.dequantizeRow(w.type, w.row(row), into: &deq, count: w.cols)
    var sum: Float = 0
    for c in 0..<w.cols { sum += abs(deq[c]) * abs(x[c]) }
    return sum
}
