// The portable GEMM kernels: plain Swift packing and a 6×16 tile on SIMD16<Float>, for CPUs
// without the AVX2 path (arm64 among them). Same packed layouts as the C kernels (SgemmKernels.swift).

/// Swift twins of x86_avx2_sgemm.c's packers and tile.
enum SgemmPortable {
    static let mr = SgemmKernels.mr, nr = SgemmKernels.nr

    /// op(A)[0..<mc, 0..<kc] → ceil(mc/6) panels of [kc][6] (src = &op(A)[0, 0]).
    static func packA(_ src: UnsafePointer<Float>, ld: Int, trans: Bool, mc: Int, kc: Int, into dst: UnsafeMutablePointer<Float>) {
        // op(A)[i, p] = src[i * rowStep + p * colStep]
        let (rowStep, colStep) = trans ? (1, ld) : (ld, 1)
        var panel = dst
        for i0 in stride(from: 0, to: mc, by: mr) {
            let rows = min(mr, mc - i0)
            for p in 0 ..< kc {
                for i in 0 ..< mr { panel[p * mr + i] = i < rows ? src[(i0 + i) * rowStep + p * colStep] : 0 }
            }
            panel += kc * mr
        }
    }

    /// op(B)[0..<kc, 0..<nc] → ceil(nc/16) panels of [kc][16] (src = &op(B)[0, 0]).
    static func packB(_ src: UnsafePointer<Float>, ld: Int, trans: Bool, nc: Int, kc: Int, into dst: UnsafeMutablePointer<Float>) {
        // op(B)[p, j] = src[p * rowStep + j * colStep]
        let (rowStep, colStep) = trans ? (1, ld) : (ld, 1)
        var panel = dst
        for j0 in stride(from: 0, to: nc, by: nr) {
            let cols = min(nr, nc - j0)
            if trans {
                // column by column: reads run along rows of B, which are contiguous
                for j in 0 ..< nr {
                    for p in 0 ..< kc { panel[p * nr + j] = j < cols ? src[p * rowStep + (j0 + j) * colStep] : 0 }
                }
            } else {
                for p in 0 ..< kc {
                    for j in 0 ..< nr { panel[p * nr + j] = j < cols ? src[p * rowStep + (j0 + j) * colStep] : 0 }
                }
            }
            panel += kc * nr
        }
    }

    /// c[rows×cols] (+)= A panel [kc][6] · b (kc rows of 16 floats, stride rsb).
    static func tile(
        kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, rsb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, cols: Int, accumulate: Bool
    ) {
        typealias V = SIMD16<Float>
        var c0 = V(), c1 = V(), c2 = V(), c3 = V(), c4 = V(), c5 = V()
        var a = a, b = UnsafeRawPointer(b)
        for _ in 0 ..< kc {
            let bv = b.loadUnaligned(as: V.self)
            c0 = madd(a[0], bv, c0); c1 = madd(a[1], bv, c1); c2 = madd(a[2], bv, c2)
            c3 = madd(a[3], bv, c3); c4 = madd(a[4], bv, c4); c5 = madd(a[5], bv, c5)
            a += mr
            b += rsb * MemoryLayout<Float>.stride
        }
        func put(_ i: Int, _ sum: V) {
            guard i < rows else { return }
            let row = c + i * ldc
            if cols == nr {
                let out = accumulate ? UnsafeRawPointer(row).loadUnaligned(as: V.self) + sum : sum
                UnsafeMutableRawPointer(row).storeBytes(of: out, as: V.self)
            } else {
                for j in 0 ..< cols { row[j] = accumulate ? row[j] + sum[j] : sum[j] }
            }
        }
        put(0, c0); put(1, c1); put(2, c2); put(3, c3); put(4, c4); put(5, c5)
    }

    /// c + a·b: fused on arm64 (one instruction); on baseline x86-64 a fused multiply-add per
    /// lane would be a library call, so there it is a multiply and an add.
    @inline(__always)
    private static func madd(_ a: Float, _ b: SIMD16<Float>, _ c: SIMD16<Float>) -> SIMD16<Float> {
        #if arch(arm64)
        return c.addingProduct(a, b)
        #else
        return c + a * b
        #endif
    }
}
