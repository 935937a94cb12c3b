// The blocked GEMM driver (Goto/BLIS loop order) over a backend's packers and 6×16 tile:
//
//   for jc in n by NC:                      B block [KC × NC] packed once, shared by all threads
//     for pc in k by KC:                    (in order: C += each depth block's sum)
//       parallel over (ic block, jr chunk): A block [MC × KC] packed per task (L2-resident)
//         for jr in chunk by 16:            one B panel [KC][16] stays in L1
//           for ir in block by 6:  tile C[ir..+6, jr..+16] (+)= A panel · B panel
//
// Only KC changes the order of the sums, and it depends on k alone; threads take whole output
// tiles. So the result is the same, bit for bit, for any thread count.
//
// Legend: m × n = C, k = depth; mc/kc/nc = one block's extent; MR × NR = 6 × 16 tile.

/// Largest block extents; the driver evens them out over the actual shape.
struct SgemmBlocking: Sendable {
    /// Rows of op(A) per packed A block (kept in L2); a multiple of 6.
    var mc: Int
    /// Depth per block: one B panel [kc][16] stays in L1. The only parameter that changes the
    /// summation order, so it is chosen from k alone.
    var kc: Int
    /// Columns of op(B) per packed B block (kept in L3); a multiple of 16.
    var nc: Int

    static let standard = SgemmBlocking(mc: 144, kc: 256, nc: 4096)
}

/// Runs one GEMM with `kernels` under `blocking`.
struct SgemmDriver {
    let kernels: SgemmKernels
    let blocking: SgemmBlocking

    /// Below this many flops (2·m·n·k) the pool's hand-off costs more than it saves.
    static let parallelFlops = 1 << 21
    /// Tasks per thread: slack for a thread the OS deschedules (the machine may be shared).
    static let tasksPerThread = 4

    func run(_ p: SgemmProblem, pool: ThreadPool?) {
        let (m, n, k) = (p.m, p.n, p.k)
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            if !p.accumulate { for i in 0 ..< m { (p.c + i * p.ldc).update(repeating: 0, count: n) } }
            return
        }
        let mr = SgemmKernels.mr, nr = SgemmKernels.nr
        let kcStep = Self.evenStep(k, max: blocking.kc, multiple: 8)
        let mcStep = Self.evenStep(m, max: blocking.mc, multiple: mr)
        let mBlocks = Self.ceilDiv(m, mcStep)
        let ncStep = min(blocking.nc, Self.ceilDiv(n, nr) * nr)
        let pool = 2 * m * n * k >= Self.parallelFlops && (pool?.threadCount ?? 1) > 1 ? pool : nil
        let threads = pool?.threadCount ?? 1
        // With at most two tile rows each B element is used once or twice: read B in place
        // instead of packing it (possible when its rows run along n).
        let directB = !p.transB && m <= 2 * mr
        let bBlock = UnsafeMutablePointer<Float>.allocate(capacity: kcStep * (directB ? nr : ncStep))  // [nc/16][kc][16]
        defer { bBlock.deallocate() }

        for jc in stride(from: 0, to: n, by: ncStep) {
            let nc = min(ncStep, n - jc)
            let panels = Self.ceilDiv(nc, nr)
            for pc in stride(from: 0, to: k, by: kcStep) {
                let kc = min(kcStep, k - pc)
                let accumulate = p.accumulate || pc > 0
                if !directB {
                    packB(p, pc: pc, jc: jc, kc: kc, nc: nc, into: bBlock, pool: pool)
                } else if nc % nr != 0 {   // the ragged last panel, zero-padded
                    kernels.packB(p.opB(pc, jc + nc - nc % nr), p.ldb, false, nc % nr, kc, bBlock)
                }
                /// B panel `jp` of this block: (rows, row stride).
                func bPanel(_ jp: Int) -> (UnsafePointer<Float>, Int) {
                    if !directB { return (UnsafePointer(bBlock + jp * kc * nr), nr) }
                    if (jp + 1) * nr <= nc { return (p.opB(pc, jc + jp * nr), p.ldb) }
                    return (UnsafePointer(bBlock), nr)
                }
                let jChunks = pool == nil ? 1 : min(panels, max(1, Self.ceilDiv(Self.tasksPerThread * threads, mBlocks)))
                let body = { (tasks: Range<Int>) in
                    let aBlock = UnsafeMutablePointer<Float>.allocate(capacity: mcStep * kc + 2)  // [mc/6][kc][6]
                    defer { aBlock.deallocate() }
                    var packed = -1
                    for task in tasks {
                        let (ib, jb) = task.quotientAndRemainder(dividingBy: jChunks)
                        let ic = ib * mcStep, mc = min(mcStep, m - ic)
                        if ib != packed {
                            kernels.packA(p.opA(ic, pc), p.lda, p.transA, mc, kc, aBlock)
                            packed = ib
                        }
                        for jp in jb * panels / jChunks ..< (jb + 1) * panels / jChunks {
                            let (b, rsb) = bPanel(jp)
                            let cols = min(nr, nc - jp * nr)
                            var c = p.c + ic * p.ldc + jc + jp * nr
                            for ip in 0 ..< Self.ceilDiv(mc, mr) {
                                kernels.tile(kc, aBlock + ip * kc * mr, b, rsb, c, p.ldc, min(mr, mc - ip * mr), cols, accumulate)
                                c += mr * p.ldc
                            }
                        }
                    }
                }
                if let pool { pool.parallelFor(mBlocks * jChunks, body) } else { body(0 ..< mBlocks * jChunks) }
            }
        }
    }

    /// Packs op(B)[pc..<pc+kc, jc..<jc+nc] into panels, split over the pool when large.
    private func packB(_ p: SgemmProblem, pc: Int, jc: Int, kc: Int, nc: Int,
                       into bBlock: UnsafeMutablePointer<Float>, pool: ThreadPool?) {
        let nr = SgemmKernels.nr
        guard let pool, kc * nc >= 1 << 15 else {
            kernels.packB(p.opB(pc, jc), p.ldb, p.transB, nc, kc, bBlock)
            return
        }
        pool.parallelFor(Self.ceilDiv(nc, nr)) { panels in
            let j0 = panels.lowerBound * nr, j1 = min(nc, panels.upperBound * nr)
            kernels.packB(p.opB(pc, jc + j0), p.ldb, p.transB, j1 - j0, kc, bBlock + j0 * kc)
        }
    }

    /// The step that splits `total` into ceil(total / max) near-equal blocks, rounded up to
    /// `multiple` (then capped by `max` when `max` is itself a multiple).
    static func evenStep(_ total: Int, max: Int, multiple: Int) -> Int {
        let blocks = ceilDiv(total, max)
        return Swift.min(ceilDiv(ceilDiv(total, blocks), multiple) * multiple, Swift.max(max, multiple))
    }

    static func ceilDiv(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }
}
