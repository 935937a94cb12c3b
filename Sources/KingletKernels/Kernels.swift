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
        quantize(x, n: n, cols: k, into: xq, rowBytes: xRowBytes, kernels, pool: pool)
        runTiles(w, kernels, UnsafeRawPointer(xq), xRowBytes: xRowBytes, n: n, out, pool: pool)
    }

    /// Several products with the same input, as one parallel job: out_i = W_i · x. The input is
    /// converted to the partner type once and the row tiles of all the matrices are shared out
    /// together, so there is one barrier instead of one per matrix (attention's Q/K/V, the
    /// feed-forward's gate/up). Falls back to separate products when partner types differ.
    /// ws: each [R_i, K]; x: [n, K]; outs: each [n, R_i].
    public static func matmul(
        _ ws: [WeightMatrix], _ x: UnsafePointer<Float>, n: Int, _ outs: [UnsafeMutablePointer<Float>],
        pool: ThreadPool, table: KernelTable = .native
    ) {
        precondition(ws.count == outs.count, "one output per weight matrix")
        guard n > 0, let first = ws.first else { return }
        let kernels = ws.map { table[$0.type] }
        guard ws.allSatisfy({ $0.cols == first.cols }), kernels.allSatisfy({ $0.partner == kernels[0].partner }) else {
            for (w, out) in zip(ws, outs) { matmul(w, x, n: n, out, pool: pool, table: table) }
            return
        }
        let k = first.cols
        let partner = kernels[0].partner
        var xp = UnsafeRawPointer(x)
        var xRowBytes = k * 4
        var xq: UnsafeMutableRawPointer?
        if partner != .f32 {
            xRowBytes = partner.rowBytes(cols: k)
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: n * xRowBytes, alignment: 64)  // [N, xRowBytes]
            quantize(x, n: n, cols: k, into: buffer, rowBytes: xRowBytes, kernels[0], pool: pool)
            xq = buffer
            xp = UnsafeRawPointer(buffer)
        }
        defer { xq?.deallocate() }
        // Task t of matrix i covers rows [16·(t − firstTask[i]), …) of W_i.
        var firstTask: [Int] = []
        var tasks = 0
        for w in ws {
            firstTask.append(tasks)
            tasks += (w.rows + rowsPerTask - 1) / rowsPerTask
        }
        pool.parallelFor(tasks) { chunk in
            var t = chunk.lowerBound
            while t < chunk.upperBound {
                var i = ws.count - 1
                while firstTask[i] > t { i -= 1 }
                let end = min(chunk.upperBound, i + 1 < ws.count ? firstTask[i + 1] : tasks)
                let w = ws[i]
                let rows = ((t - firstTask[i]) * rowsPerTask)..<min(w.rows, (end - firstTask[i]) * rowsPerTask)
                kernels[i].gemm(w, rows, xp, xRowBytes, n, outs[i])
                t = end
            }
        }
    }

    /// Converts n rows of activations to the partner layout (in parallel for large batches).
    private static func quantize(
        _ x: UnsafePointer<Float>, n: Int, cols k: Int, into xq: UnsafeMutableRawPointer, rowBytes: Int,
        _ kernels: TypeKernels, pool: ThreadPool
    ) {
        if n >= 4 * pool.threadCount {
            pool.parallelFor(n) { tokens in
                for t in tokens { kernels.quantizeRow(x + t * k, xq + t * rowBytes, k) }
            }
        } else {
            for t in 0..<n { kernels.quantizeRow(x + t * k, xq + t * rowBytes, k) }
        }
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
