/// Σ q[i]·k[i] with k in F16, accumulated in f32. q: [n], k: [n].
@inline(__always)
func halfDot(_ q: UnsafePointer<Float>, _ k: UnsafePointer<Float16>, count n: Int) -> Float {
    var acc = SIMD8<Float>()
    var i = 0
    while i + 8 <= n {
        let kv = UnsafeRawPointer(k + i).loadUnaligned(as: SIMD8<Float16>.self)
        let qv = UnsafeRawPointer(q + i).loadUnaligned(as: SIMD8<Float>.self)
        acc.addProduct(qv, SIMD8<Float>(kv))
        i += 8
    }
    var s = acc.sum()
    while i < n { s += q[i] * Float(k[i]); i += 1 }
    return s
}

/// y[i] += a·v[i] with v in F16. v, y: [n].
@inline(__always)
func halfAxpy(_ a: Float, _ v: UnsafePointer<Float16>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
    var i = 0
    while i + 8 <= n {
        let vv = UnsafeRawPointer(v + i).loadUnaligned(as: SIMD8<Float16>.self)
        var yv = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD8<Float>.self)
        yv.addProduct(SIMD8<Float>(repeating: a), SIMD8<Float>(vv))
        UnsafeMutableRawPointer(y + i).storeBytes(of: yv, as: SIMD8<Float>.self)
        i += 8
    }
    while i < n { y[i] += a * Float(v[i]); i += 1 }
}
