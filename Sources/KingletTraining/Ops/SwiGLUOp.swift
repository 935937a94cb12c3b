import Foundation
import KingletArchitectures
import KingletKernels

/// SwiGLU: h = silu(gate) ⊙ up, with the inference engine's `SiLU.silu` (g·σ(g)).
///
///   gateUp, dgateUp  [N, 2F]  gate in columns 0..<F, up in F..<2F (one fused matmul makes both)
///   h, dh            [N, F]
enum SwiGLUOp {
    static func forward(_ h: UnsafeMutablePointer<Float>, gateUp: UnsafePointer<Float>, n: Int, ff: Int, pool: ThreadPool?) {
        Parallel.rows(n, pool: pool) { range in
            for r in range {
                // The engine's in-place `SiLU.swiglu` (8 lanes at a time with AVX2, the same
                // numbers as `SiLU.silu(g) * u`) on a copy of the gate.
                let g = gateUp + r * 2 * ff, u = g + ff, hr = h + r * ff
                hr.update(from: g, count: ff)
                SiLU.swiglu(hr, u, count: ff)
            }
        }
    }

    /// dup = dh ⊙ silu(g);  dgate = dh ⊙ up ⊙ σ(g)·(1 + g·(1 − σ(g))).
    static func backward(dgateUp: UnsafeMutablePointer<Float>, dh: UnsafePointer<Float>, gateUp: UnsafePointer<Float>,
                         n: Int, ff: Int, pool: ThreadPool?) {
        Parallel.rows(n, pool: pool) { range in
            for r in range {
                let g = gateUp + r * 2 * ff, u = g + ff, d = dh + r * ff
                let dg = dgateUp + r * 2 * ff, du = dg + ff
                for i in 0 ..< ff {
                    let sig = SiLU.sigmoid(g[i])
                    du[i] = d[i] * g[i] * sig
                    dg[i] = d[i] * u[i] * sig * (1 + g[i] * (1 - sig))
                }
            }
        }
    }
}
