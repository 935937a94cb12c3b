// `kinglet-kernel-bench sgemm [--quick] [SHAPE…]`: GFLOP/s of Sgemm.gemm on the training
// engine's shapes, 1 and 2 threads. GFLOP/s counts 2·m·n·k per call; times are the 25th
// percentile of individually timed calls (timeCall in main.swift). "per CPU-s" divides by the
// process's CPU time instead (all threads, spinning included): on a shared machine the
// 1-thread figure there is the kernel's own speed. SHAPE filters by label substring
// ("fwd", "head", "square", …).
import KingletKernels

/// One benchmarked product: C[m×n] (+)= op(A)[m×k]·op(B)[k×n].
struct SgemmCase {
    let label: String
    let transA: Bool, transB: Bool
    let m: Int, n: Int, k: Int
    let accumulate: Bool
}

/// The linear layer y = x·Wᵀ (x [N×IN], W [OUT×IN]) in its three products, plus the output
/// head (vocabulary 49152), attention-sized products and numpy's favourite square.
let sgemmCases: [SgemmCase] = {
    var cases = [SgemmCase(label: "square NN", transA: false, transB: false, m: 2048, n: 2048, k: 2048, accumulate: false)]
    for (tokens, inputs, outputs) in [(2048, 256, 256), (2048, 768, 768), (4096, 512, 1376), (4096, 1376, 512), (4096, 1024, 1024)] {
        let shape = "N\(tokens) \(inputs)→\(outputs)"
        cases.append(SgemmCase(label: "fwd x·Wᵀ \(shape)", transA: false, transB: true, m: tokens, n: outputs, k: inputs, accumulate: false))
        cases.append(SgemmCase(label: "dx dy·W \(shape)", transA: false, transB: false, m: tokens, n: inputs, k: outputs, accumulate: true))
        cases.append(SgemmCase(label: "dW dyᵀ·x \(shape)", transA: true, transB: false, m: outputs, n: inputs, k: tokens, accumulate: true))
    }
    for d in [256, 512] {
        cases.append(SgemmCase(label: "head fwd x·Eᵀ D\(d)", transA: false, transB: true, m: 256, n: 49152, k: d, accumulate: false))
        cases.append(SgemmCase(label: "head dx dy·E D\(d)", transA: false, transB: false, m: 256, n: d, k: 49152, accumulate: false))
        cases.append(SgemmCase(label: "head dE dyᵀ·x D\(d)", transA: true, transB: false, m: 49152, n: d, k: 256, accumulate: true))
    }
    cases.append(SgemmCase(label: "attn q·kᵀ 64×64×32", transA: false, transB: true, m: 64, n: 64, k: 32, accumulate: false))
    cases.append(SgemmCase(label: "attn p·v 64×32×64", transA: false, transB: false, m: 64, n: 32, k: 64, accumulate: false))
    cases.append(SgemmCase(label: "attn q·kᵀ 256×256×64", transA: false, transB: true, m: 256, n: 256, k: 64, accumulate: false))
    return cases
}()

/// [count] floats in [-1, 1), from a fixed LCG.
func benchFloats(_ count: Int, seed: UInt64) -> UnsafeMutablePointer<Float> {
    let p = UnsafeMutablePointer<Float>.allocate(capacity: count)
    var s = seed
    for i in 0 ..< count {
        s = s &* 6364136223846793005 &+ 1442695040888963407
        p[i] = Float(Int32(truncatingIfNeeded: s >> 32)) / Float(Int32.max)
    }
    return p
}

func runSgemmBench(_ args: [String]) {
    let quick = args.contains("--quick")
    let filters = args.filter { $0 != "--quick" }
    let pools = [1, 2].map { ThreadPool(threads: $0) }
    print("sgemm: \(Sgemm.implementation); physical cores: \(ThreadPool.physicalCoreCount())")
    print("| product | op | m × n × k | threads | ms/call (p25) | GFLOP/s | GFLOP per CPU-s |")
    print("|---|---|---|---|---|---|---|")
    for bc in sgemmCases where filters.isEmpty || filters.contains(where: { bc.label.contains($0) }) {
        let a = benchFloats(bc.m * bc.k, seed: 1), b = benchFloats(bc.k * bc.n, seed: 2)
        let c = benchFloats(bc.m * bc.n, seed: 3)
        defer { a.deallocate(); b.deallocate(); c.deallocate() }
        let flops = 2.0 * Double(bc.m) * Double(bc.n) * Double(bc.k)
        let op = (bc.transA ? "T" : "N") + (bc.transB ? "T" : "N")
        for pool in pools {
            let (seconds, cpu) = timeCall(minSeconds: quick ? 0.1 : 0.5) {
                Sgemm.gemm(transA: bc.transA, transB: bc.transB, m: bc.m, n: bc.n, k: bc.k,
                           a: a, lda: bc.transA ? bc.m : bc.k, b: b, ldb: bc.transB ? bc.k : bc.n,
                           c: c, ldc: bc.n, accumulate: bc.accumulate, pool: pool)
            }
            print("| \(bc.label) | \(op) | \(bc.m) × \(bc.n) × \(bc.k) | \(pool.threadCount) | "
                  + "\(fmt(seconds * 1e3, 3)) | \(fmt(flops / seconds / 1e9)) | \(fmt(flops / cpu / 1e9)) |")
        }
    }
}
