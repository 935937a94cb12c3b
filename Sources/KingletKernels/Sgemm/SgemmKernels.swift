// What a GEMM backend provides to the blocked driver: two packers and one register tile, over
// fixed packed layouts. Legend: kc = depth of a block; MR×NR = 6×16 tile of C.
//   A panel: [kc][MR]  element (i, p) of op(A) at p·MR + i; rows past the edge are zero
//   B panel: [kc][NR]  element (p, j) of op(B) at p·NR + j; columns past the edge are zero
import CKingletKernels

/// Packers and the 6×16 tile of one ISA (`SgemmDriver` does the blocking and threading).
struct SgemmKernels: Sendable {
    static let mr = 6
    static let nr = 16

    let name: String
    /// (src = &op(A)[0, 0], ld, transA, mc, kc, dst): op(A)[0..<mc, 0..<kc] into ceil(mc/MR) A
    /// panels, one after another. dst: ceil(mc/MR)·kc·MR floats (nothing past them is written).
    let packA: @Sendable (UnsafePointer<Float>, Int, Bool, Int, Int, UnsafeMutablePointer<Float>) -> Void
    /// (src = &op(B)[0, 0], ld, transB, nc, kc, dst): op(B)[0..<kc, 0..<nc] into ceil(nc/NR) B
    /// panels, one after another.
    let packB: @Sendable (UnsafePointer<Float>, Int, Bool, Int, Int, UnsafeMutablePointer<Float>) -> Void
    /// (kc, A panels, rows, b, rsb, c, ldc, cols, accumulate): a column of tiles,
    /// c[rows×cols] (+)= A panels [rows/MR][kc][MR] · b, where b holds kc rows of NR floats,
    /// row p at b + p·rsb. Each element is summed from zero in order p = 0..<kc, then stored or
    /// added to c.
    let tiles: @Sendable (
        Int, UnsafePointer<Float>, Int, UnsafePointer<Float>, Int, UnsafeMutablePointer<Float>, Int, Int, Bool
    ) -> Void

    #if arch(x86_64)
    /// AVX2 + FMA (x86_avx2_sgemm.c); only for CPUs with KK_CPU_AVX2.
    static let avx2 = SgemmKernels(
        name: "avx2",
        packA: { src, ld, trans, mc, kc, dst in kk_avx2_sgemm_pack_a(src, Int64(ld), trans ? 1 : 0, Int64(mc), Int64(kc), dst) },
        packB: { src, ld, trans, nc, kc, dst in kk_avx2_sgemm_pack_b(src, Int64(ld), trans ? 1 : 0, Int64(nc), Int64(kc), dst) },
        tiles: { kc, a, rows, b, rsb, c, ldc, cols, accumulate in
            kk_avx2_sgemm_tiles(Int64(kc), a, Int64(rows), b, Int64(rsb), c, Int64(ldc), Int64(cols), accumulate ? 1 : 0)
        })
    #endif

    /// Swift SIMD on any CPU (SgemmPortable.swift).
    static let portable = SgemmKernels(
        name: "simd",
        packA: { SgemmPortable.packA($0, ld: $1, trans: $2, mc: $3, kc: $4, into: $5) },
        packB: { SgemmPortable.packB($0, ld: $1, trans: $2, nc: $3, kc: $4, into: $5) },
        tiles: { kc, a, rows, b, rsb, c, ldc, cols, accumulate in
            for i in stride(from: 0, to: rows, by: mr) {
                SgemmPortable.tile(kc: kc, a: a + i * kc, b: b, rsb: rsb, c: c + i * ldc, ldc: ldc,
                                   rows: Swift.min(mr, rows - i), cols: cols, accumulate: accumulate)
            }
        })
}
