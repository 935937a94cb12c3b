// The entry points the model code calls: matmul (weights × activations) and row dequantization.
//
// Legend: R = w.rows (output features), K = w.cols (input features), N = tokens in the batch.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Matrix kernels over memory-mapped ggml weights, dispatched through `KernelTable.native`.
public enum Kernels {
    /// out[t, r] = Σ_c W[r, c] · x[t, c] for t in 0..<n.  x: [n, cols] f32 row-major;
    /// out: [n, rows] f32 row-major. Activations are first converted to the weight type's partner
    /// (8-bit blocks for quantized weights), exactly as llama.cpp does; rows of W are split
    /// across `pool`'s threads. `out` must not overlap `x`. `table` is for tests and benchmarks;
    /// models use the default. On x86 AVX2 the results for Q4_0/Q4_1/Q8_0 weights are
    /// bit-identical to ggml's `mul_mat` (see GGMLGoldenTests).
    public static func matmul(
        _ w: WeightMatrix, _ x: UnsafePointer<Float>, n: Int, _ out: UnsafeMutablePointer<Float>,
        pool: ThreadPool, table: KernelTable = .native
    ) {
        precondition(n >= 0, "negative token count")
        guard n > 0 else { return }
        let kernels = table[w.type]
        let k = w.cols
        if kernels.partner == .f32 {
            runTiles(w, kernels, UnsafeRawPointer(x), xRowBytes: k * 4, n: n, out, pool: pool)
            return
        }
        let xRowBytes = kernels.partner.rowBytes(cols: k)
        let xq = UnsafeMutableRawPointer.allocate(byteCount: n * xRowBytes, alignment: 64)  // [N, xRowBytes]
        defer { xq.deallocate() }
        if n >= 4 * pool.threadCount {
            pool.parallelFor(n) { tokens in
                for t in tokens { kernels.quantizeRow(x + t * k, xq + t * xRowBytes, k) }
            }
        } else {
            for t in 0..<n { kernels.quantizeRow(x + t * k, xq + t * xRowBytes, k) }
        }
        runTiles(w, kernels, UnsafeRawPointer(xq), xRowBytes: xRowBytes, n: n, out, pool: pool)
    }

    /// Rows per unit of parallel work: chunks stay multiples of the kernels' row tiles.
    static let rowsPerTask = 16

    private static func runTiles(
        _ w: WeightMatrix, _ kernels: TypeKernels, _ x: UnsafeRawPointer, xRowBytes: Int, n: Int,
        _ out: UnsafeMutablePointer<Float>, pool: ThreadPool
    ) {
        let tasks = (w.rows + rowsPerTask - 1) / rowsPerTask
        pool.parallelFor(tasks) { chunk in
            let rows = (chunk.lowerBound * rowsPerTask)..<min(w.rows, chunk.upperBound * rowsPerTask)
            kernels.gemm(w, rows, x, xRowBytes, n, out)
        }
    }

    /// Dequantize row `row` of `w` into `out` ([cols] f32) — used for the embedding lookup.
    public static func dequantizeRow(_ w: WeightMatrix, row: Int, into out: UnsafeMutablePointer<Float>) {
        KernelTable.native[w.type].dequantizeRow(w.row(row), out, w.cols)
    }

    /// Which implementation the dispatch table picked and the CPU features seen,
    /// e.g. "avx2 (cpu: avx2+fma+f16c)".
    public static var backendDescription: String {
        let table = KernelTable.native
        let features = table.cpuFeatures.isEmpty ? "none" : table.cpuFeatures.joined(separator: " ")
        return "\(table.name) (cpu: \(features); activation rounding: \(table.rounding))"
    }
}
