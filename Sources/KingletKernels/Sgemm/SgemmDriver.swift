// The blocked GEMM driver (Goto/BLIS loop order) over a backend's packers and 6×16 tile:
//
//   for jc in n by NC:
//     for pc in k by KC:                     (in order: C += each depth block's sum)
//       pack job:    B block [KC × NC], shared by all tasks (and all of A's rows when they are few)
//       compute job: pieces of (ic block, jr panel) units; a piece packs its A block [MC × KC]
//         for (ic, jr) in piece:             (L2-resident) itself when it gets to it
//           for ir in block by 6:   tile C[ir..+6, jr..+16] (+)= A panel · B panel [KC][16] (L1)
//
// Only KC changes the order of the sums, and it depends on k alone; threads take whole output
// tiles. So the result is the same, bit for bit, for any thread count.
//
// Legend: m × n = C, k = depth; mc/kc/nc = one block's extent; MR × NR = 6 × 16 tile.

/// Largest block extents; the driver evens them out over the actual shape.
struct SgemmBlocking: Sendable {
    /// Rows of op(A) per A block (kept in L2); a multiple of 6.
    var mc: Int
    /// Depth per block (doubled from k = `SgemmDriver.deepK` on): one B panel [kc][16] stays in
    /// L1. The only parameter that changes the summation order, so it is chosen from k alone.
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
    /// From this depth on, depth blocks are twice as deep: a product this deep has few rows
    /// and columns (the output head's input gradient, k = vocabulary), so its time goes to the
    /// two jobs per depth block more than to the L1 misses of a 32 KB B panel.
    static let deepK = 8192
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
        let kcStep = Self.evenStep(k, max: k >= Self.deepK ? 2 * blocking.kc : blocking.kc, multiple: 8)
        let mcStep = Self.evenStep(m, max: blocking.mc, multiple: mr)
        let mBlocks = Self.ceilDiv(m, mcStep)
        let ncStep = min(blocking.nc, Self.ceilDiv(n, nr) * nr)
        let pool = 2 * m * n * k >= Self.parallelFlops && (pool?.threadCount ?? 1) > 1 ? pool : nil
        // The compute job's units are columns of tiles (row block, B panel), numbered row block
        // first; the pool hands them out in this many contiguous pieces (shrinking towards the end).
        let pieces = (pool?.threadCount ?? 1) * ThreadPool.piecesPerThread
        // With at most two tile rows each B element is used once or twice: read B in place
        // instead of packing it (possible when its rows run along n).
        let directB = !p.transB && m <= 2 * mr
        // Fewer row blocks than pieces: several pieces would pack the same A block, so the pack
        // job packs all of A once instead.
        let sharedA = mBlocks < pieces
        let bBlock = UnsafeMutablePointer<Float>.allocate(capacity: directB ? 0 : kcStep * ncStep)  // [nc/16][kc][16]
        let aShared = UnsafeMutablePointer<Float>.allocate(capacity: sharedA ? Self.ceilDiv(m, mr) * mr * kcStep : 0)  // [m/6][kc][6]
        defer { bBlock.deallocate(); aShared.deallocate() }

        for jc in stride(from: 0, to: n, by: ncStep) {
            let nc = min(ncStep, n - jc)
            let panels = Self.ceilDiv(nc, nr)
            for pc in stride(from: 0, to: k, by: kcStep) {
                let kc = min(kcStep, k - pc)
                let accumulate = p.accumulate || pc > 0
                pack(p, pc: pc, kc: kc, jc: jc, nc: directB ? 0 : nc, bBlock, rows: sharedA ? m : 0, aShared, pool: pool)
                let body = { (units: Range<Int>) in
                    // [mc/6][kc][6] unless shared, then (reading B in place) a ragged B panel [kc][16]
                    let aSize = sharedA ? 0 : mcStep * kc
                    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: aSize + (directB ? kc * nr : 0))
                    defer { scratch.deallocate() }
                    var packed = -1
                    for unit in units {
                        let (ib, jp) = unit.quotientAndRemainder(dividingBy: panels)
                        let ic = ib * mcStep, mc = min(mcStep, m - ic), j = jc + jp * nr, cols = min(nr, jc + nc - j)
                        if !sharedA, ib != packed {
                            kernels.packA(p.opA(ic, pc), p.lda, p.transA, mc, kc, scratch)
                            packed = ib
                        }
                        var b = UnsafePointer(bBlock + jp * nr * kc), rsb = nr
                        if directB, cols == nr {
                            (b, rsb) = (p.opB(pc, j), p.ldb)
                        } else if directB {   // the ragged last panel, zero-padded
                            kernels.packB(p.opB(pc, j), p.ldb, false, cols, kc, scratch + aSize)
                            b = UnsafePointer(scratch + aSize)
                        }
                        kernels.tiles(kc, sharedA ? aShared + ic * kc : scratch, mc, b, rsb, p.c + ic * p.ldc + j, p.ldc, cols, accumulate)
                    }
                }
                if let pool { pool.parallelFor(mBlocks * panels, body) } else { body(0 ..< mBlocks * panels) }
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

    /// The step that splits `total` into ceil(total / max) near-equal blocks, rounded up to
    /// `multiple` (then capped by `max` when `max` is itself a multiple).
    static func evenStep(_ total: Int, max: Int, multiple: Int) -> Int {
        let blocks = ceilDiv(total, max)
        return Swift.min(ceilDiv(ceilDiv(total, blocks), multiple) * multiple, Swift.max(max, multiple))
    }

    static func ceilDiv(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }
}
