// The blocked GEMM driver (Goto/BLIS loop order) over a backend's packers and 6×16 tile:
//
//   for jc in n by NC:
//     for pc in k by KC:                     (in order: C += each depth block's sum)
//       pack job:    B block [KC × NC], shared by all tasks (and all of A's rows when they are few)
//       compute job: tasks (ic block, jr chunk); a task packs its A block [MC × KC] (L2) itself
//         for jr in chunk by 16:             one B panel [KC][16] stays in L1
//           for ir in block by 6:   tile C[ir..+6, jr..+16] (+)= A panel · B panel
//
// Only KC changes the order of the sums, and it depends on k alone; threads take whole output
// tiles. So the result is the same, bit for bit, for any thread count.
//
// Legend: m × n = C, k = depth; mc/kc/nc = one block's extent; MR × NR = 6 × 16 tile.

/// Largest block extents; the driver evens them out over the actual shape.
struct SgemmBlocking: Sendable {
    /// Rows of op(A) per A block (kept in L2); a multiple of 6.
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
    /// Below this many elements a pack job runs on the calling thread alone.
    static let parallelPackElements = 1 << 15

    func run(_ p: SgemmProblem, pool: ThreadPool?) {
        let (m, n, k) = (p.m, p.n, p.k)
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            if !p.accumulate { for i in 0 ..< m { (p.c + i * p.ldc).update(repeating: 0, count: n) } }
            return
        }
        let (mr, nr) = (SgemmKernels.mr, SgemmKernels.nr)
        let kcStep = Self.evenStep(k, max: blocking.kc, multiple: 8)
        let mcStep = Self.evenStep(m, max: blocking.mc, multiple: mr)
        let mBlocks = Self.ceilDiv(m, mcStep)
        let ncStep = min(blocking.nc, Self.ceilDiv(n, nr) * nr)
        let pool = 2 * m * n * k >= Self.parallelFlops && (pool?.threadCount ?? 1) > 1 ? pool : nil
        let tasksWanted = Self.tasksPerThread * (pool?.threadCount ?? 1)
        // With at most two tile rows each B element is used once or twice: read B in place
        // instead of packing it (possible when its rows run along n).
        let directB = !p.transB && m <= 2 * mr
        // Fewer row blocks than tasks wanted: tasks split columns too and would each pack the
        // same A block, so the pack job packs all of A once instead.
        let sharedA = mBlocks < tasksWanted
        let aRowsPadded = Self.ceilDiv(m, mr) * mr
        let bBlock = UnsafeMutablePointer<Float>.allocate(capacity: directB ? 0 : kcStep * ncStep)  // [nc/16][kc][16]
        let aShared = UnsafeMutablePointer<Float>.allocate(capacity: sharedA ? aRowsPadded * kcStep : 0)  // [m/6][kc][6]
        defer { bBlock.deallocate(); aShared.deallocate() }

        for jc in stride(from: 0, to: n, by: ncStep) {
            let nc = min(ncStep, n - jc)
            let panels = Self.ceilDiv(nc, nr)
            let jChunks = min(panels, max(1, Self.ceilDiv(tasksWanted, mBlocks)))
            for pc in stride(from: 0, to: k, by: kcStep) {
                let kc = min(kcStep, k - pc)
                pack(p, pc: pc, kc: kc, jc: jc, nc: directB ? 0 : nc, bBlock, rows: sharedA ? m : 0, aShared, pool: pool)
                let body = { (tasks: Range<Int>) in
                    // [mc/6][kc][6] unless shared, then (reading B in place) a ragged B panel [kc][16]
                    let aSize = sharedA ? 0 : mcStep * kc, edgeSize = directB ? kc * nr : 0
                    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: aSize + edgeSize)
                    defer { scratch.deallocate() }
                    var packed = -1
                    for task in tasks {
                        let (ib, jb) = task.quotientAndRemainder(dividingBy: jChunks)
                        let ic = ib * mcStep, mc = min(mcStep, m - ic)
                        if !sharedA, ib != packed {
                            kernels.packA(p.opA(ic, pc), p.lda, p.transA, mc, kc, scratch)
                            packed = ib
                        }
                        let j0 = jc + jb * panels / jChunks * nr, j1 = min(jc + (jb + 1) * panels / jChunks * nr, jc + nc)
                        tiles(p, aBlock: sharedA ? aShared + ic * kc : scratch, packedB: directB ? nil : bBlock + (j0 - jc) * kc,
                              edgeScratch: scratch + aSize, ic: ic, mc: mc, j0: j0, j1: j1, pc: pc, kc: kc)
                    }
                }
                if let pool { pool.parallelFor(mBlocks * jChunks, body) } else { body(0 ..< mBlocks * jChunks) }
            }
        }
    }

    /// Packs op(B)[pc..<pc+kc, jc..<jc+nc] into B panels and op(A)[0..<rows, pc..<pc+kc] into
    /// A panels, as one job split over the pool when large (nc or rows may be 0).
    private func pack(
        _ p: SgemmProblem, pc: Int, kc: Int, jc: Int, nc: Int, _ bBlock: UnsafeMutablePointer<Float>,
        rows: Int, _ aPanels: UnsafeMutablePointer<Float>, pool: ThreadPool?
    ) {
        let (mr, nr) = (SgemmKernels.mr, SgemmKernels.nr)
        let bCount = Self.ceilDiv(nc, nr), aCount = Self.ceilDiv(rows, mr)
        /// Panels [lo, hi) of B, then of A, counted together.
        func run(_ panels: Range<Int>) {
            let b = panels.clamped(to: 0 ..< bCount)
            if !b.isEmpty {
                let j0 = b.lowerBound * nr, j1 = min(nc, b.upperBound * nr)
                kernels.packB(p.opB(pc, jc + j0), p.ldb, p.transB, j1 - j0, kc, bBlock + j0 * kc)
            }
            let a = panels.clamped(to: bCount ..< bCount + aCount)
            if !a.isEmpty {
                let i0 = (a.lowerBound - bCount) * mr, i1 = min(rows, (a.upperBound - bCount) * mr)
                kernels.packA(p.opA(i0, pc), p.lda, p.transA, i1 - i0, kc, aPanels + i0 * kc)
            }
        }
        if let pool, (nc + rows) * kc >= Self.parallelPackElements {
            pool.parallelFor(bCount + aCount, run)
        } else {
            run(0 ..< bCount + aCount)
        }
    }

    /// C[ic..<ic+mc, j0..<j1] (+)= A block · op(B)[pc..<pc+kc, j0..<j1], tile by tile: B panels
    /// outside (one stays in L1), A panels inside. `packedB` holds the B panels of j0..<j1; nil
    /// means B is read in place, with only a ragged last panel packed into `edgeScratch`.
    private func tiles(
        _ p: SgemmProblem, aBlock: UnsafePointer<Float>, packedB: UnsafePointer<Float>?,
        edgeScratch: UnsafeMutablePointer<Float>, ic: Int, mc: Int, j0: Int, j1: Int, pc: Int, kc: Int
    ) {
        let nr = SgemmKernels.nr
        let accumulate = p.accumulate || pc > 0
        for j in stride(from: j0, to: j1, by: nr) {
            let cols = min(nr, j1 - j)
            var b: UnsafePointer<Float>, rsb = nr
            if let packedB {
                b = packedB + (j - j0) * kc
            } else if cols == nr {
                (b, rsb) = (p.opB(pc, j), p.ldb)
            } else {
                kernels.packB(p.opB(pc, j), p.ldb, false, cols, kc, edgeScratch)
                b = UnsafePointer(edgeScratch)
            }
            kernels.tiles(kc, aBlock, mc, b, rsb, p.c + ic * p.ldc + j, p.ldc, cols, accumulate)
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
