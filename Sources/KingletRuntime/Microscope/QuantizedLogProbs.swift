import Foundation

/// llama.cpp's full-distribution row (`--kl-divergence-base`): f32 scale, f32 minimum
/// log-probability, then for each of V tokens a u16 q with log p ≈ scale · q + minimum, padded to
/// an even count. Log-probabilities more than 16 nats below the top are stored as the minimum;
/// the rounding error of the rest is at most scale / 2 ≤ 16 / 131070 ≈ 1.2e-4 nats.
public struct QuantizedLogProbs: ReferenceRow {
    /// The row's bytes (`rowBytes`).
    let bytes: UnsafeRawBufferPointer
    let vocabularySize: Int

    /// Bytes of a row: (2 · ⌈V / 2⌉ + 4) u16.
    public static func rowBytes(vocabularySize v: Int) -> Int { (2 * ((v + 1) / 2) + 4) * 2 }

    var scale: Float { Float(bitPattern: bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self).littleEndian) }
    var minimum: Float { Float(bitPattern: bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self).littleEndian) }

    /// Token `i`'s stored log-probability.
    func logProb(_ i: Int, scale: Float, minimum: Float) -> Float {
        scale * Float(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 + 2 * i, as: UInt16.self))) + minimum
    }

    /// Encodes logits `row` [V] into `out` (`rowBytes`), as llama.cpp's `log_softmax` writer does
    /// (same clamp, same rounding), so both tools' files hold the same bytes for the same logits.
    static func encode(_ row: UnsafeBufferPointer<Float>, into out: UnsafeMutableRawBufferPointer) {
        let r = LogitsRow(row)
        var lo = row.min() ?? 0
        lo = max(lo, r.max - 16)
        let minimum = lo - r.max - Float(log(r.sum))
        let scale = (r.max - lo) / 65535
        out.storeBytes(of: scale.bitPattern.littleEndian, toByteOffset: 0, as: UInt32.self)
        out.storeBytes(of: minimum.bitPattern.littleEndian, toByteOffset: 4, as: UInt32.self)
        let inverse = scale != 0 ? 1 / scale : 0
        for (i, v) in row.enumerated() {
            let q: UInt16 = scale != 0 && v > lo ? UInt16(truncatingIfNeeded: nearestInt(inverse * (v - lo))) : 0
            out.storeBytes(of: q.littleEndian, toByteOffset: 8 + 2 * i, as: UInt16.self)
        }
        for i in 8 + 2 * row.count ..< out.count { out[i] = 0 }
    }

    /// llama.cpp's `nearest_int`: round to nearest, ties to even, through the float's mantissa.
    static func nearestInt(_ x: Float) -> Int32 {
        let bits = Int32(bitPattern: (x + 12_582_912).bitPattern)
        return (bits & 0x007F_FFFF) - 0x0040_0000
    }

    /// llama.cpp's KL-divergence step: tokens whose reference log-probability is above −16
    /// contribute p (log p − log q); the reference's top token is the first largest stored value.
    func compare(_ q: UnsafeBufferPointer<Float>, target: Int) -> RowComparison {
        let r = LogitsRow(q)
        let s = scale, m = minimum
        let logNorm = r.max + Float(log(r.sum))
        var kld = 0.0, top = 0, topValue = -Float.infinity
        for i in 0 ..< vocabularySize {
            let lp = logProb(i, scale: s, minimum: m)
            if i == 0 || lp > topValue { topValue = lp; top = i }
            if lp > -16 { kld += Double(expf(lp) * (lp - q[i] + logNorm)) }
        }
        return RowComparison(q: q, qRow: r, target: target, baseLogProb: logProb(target, scale: s, minimum: m), kld: kld, baseTop: top)
    }
}
