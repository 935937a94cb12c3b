import KingletArchitectures
import KingletKernels

/// RMSNorm: y = x · rstd · g with rstd = 1/√(mean(x²) + ε), per row (the inference engine's
/// `rmsNormScale`, sum of squares in Double).
///
///   x, y, dy, dx  [N, D]
///   g, dg         [D]
///   rstd          [N]   saved by the forward for the backward
enum RMSNormOp {
    static func forward(_ y: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
                        _ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>,
                        n: Int, dim: Int, eps: Float, pool: ThreadPool?) {
        Parallel.rows(n, pool: pool) { range in
            for r in range {
                let xr = x + r * dim, yr = y + r * dim
                let s = rmsNormScale(xr, size: dim, epsilon: eps)
                rstd[r] = s
                for i in 0 ..< dim { yr[i] = xr[i] * s * g[i] }
            }
        }
    }

    /// With u = x·rstd: dg += Σₙ dy ⊙ u;  dx += rstd · (dy⊙g − u · mean(dy⊙g⊙u)).
    static func backward(dx: UnsafeMutablePointer<Float>, dg: UnsafeMutablePointer<Float>,
                         dy: UnsafePointer<Float>, x: UnsafePointer<Float>, g: UnsafePointer<Float>,
                         rstd: UnsafePointer<Float>, n: Int, dim: Int, pool: ThreadPool?) {
        Parallel.rows(n, pool: pool) { range in
            for r in range {
                let xr = x + r * dim, dyr = dy + r * dim, dxr = dx + r * dim
                let s = rstd[r]
                var c: Float = 0
                for i in 0 ..< dim { c += dyr[i] * g[i] * xr[i] * s }
                c /= Float(dim)
                for i in 0 ..< dim {
                    let u = xr[i] * s
                    dxr[i] += s * (dyr[i] * g[i] - u * c)
                }
            }
        }
        Parallel.columnSum(rows: n, width: dim, pool: pool, into: dg) { r, partial in
            let xr = x + r * dim, dyr = dy + r * dim
            let s = rstd[r]
            for i in 0 ..< dim { partial[i] += dyr[i] * xr[i] * s }
        }
    }
}
