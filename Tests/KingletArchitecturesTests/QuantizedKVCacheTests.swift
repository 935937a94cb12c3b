import Foundation
import KingletArchitectures
import KingletGGUF
import KingletKernels
import KingletTestSupport
import Testing

/// A KV cache in ggml's Q8_0 / Q4_0 blocks, run by the real forward passes of the tiny fixtures
/// (gemma3: sliding-window rings and global layers; llama: GQA 5:1), both with heads of 32.
@Suite struct QuantizedKVCacheTests {
    static func load(_ name: String) throws -> (ArchitectureFixture, any LanguageModel) {
        let f = try ArchitectureFixture(name)
        return (f, try ArchitectureRegistry.load(try GGUFFile(path: f.modelPath), options: ModelLoadOptions(pool: ThreadPool(threads: 2))))
    }

    static func state(_ m: any LanguageModel, _ p: KVCache.Precision, batchRoom: Int = KVCache.Layout.defaultBatchRoom,
                      kernels: KernelTable = .native) -> ModelState {
        ModelState(cache: KVCache(layout: KVCache.Layout(m.config, batchRoom: batchRoom), precision: p, kernels: kernels))
    }

    /// max and mean |a − b| over all logits.
    static func diff(_ a: [Float], _ b: [Float]) -> (max: Float, mean: Float) {
        precondition(a.count == b.count, "\(a.count) vs \(b.count) logits")
        let d = zip(a, b).map { abs($0 - $1) }
        return (d.max() ?? 0, d.reduce(0, +) / Float(max(d.count, 1)))
    }

    /// Teacher-forced logits of the fixture's 24 tokens with a quantized cache against F16.
    /// Q8_0 rounds every key, value and query element to 8 bits (an error up to 1/254 of its
    /// block's largest), Q4_0 keys and values to 4 bits (1/16). On these random-weight models
    /// (|logits| up to 4 on gemma3, 21 on llama) that measured: Q8_0 max |Δ| 0.13 / 0.26, mean
    /// 0.018 / 0.046, argmax equal at 23 / 24 of 24 positions; Q4_0 max 1.6 / 1.9, mean 0.19 / 0.31.
    /// The bounds are ~1.5× those, and the files are sensitive: even a change of summation order
    /// moves their logits by up to 0.08 through the 8-bit activation roundings (llama.cpp's own
    /// flash and non-flash paths differ by 0.061 on gemma3). A wrong block, head offset or scale
    /// moves the logits by several units.
    @Test(arguments: ["gemma3", "llama"])
    func logitsStayCloseToF16(fixture: String) throws {
        let (f, model) = try Self.load(fixture)
        let want = try model.forward(f.tokens, state: Self.state(model, .f16), logits: .all)
        let q8 = Self.diff(try model.forward(f.tokens, state: Self.state(model, .q8_0), logits: .all), want)
        let q4 = Self.diff(try model.forward(f.tokens, state: Self.state(model, .q4_0), logits: .all), want)
        #expect(q8.max > 0, "the Q8_0 cache must round something")
        #expect(q8.max < 0.4 && q8.mean < 0.07, "q8_0 |Δ| \(q8)")
        #expect(q4.max < 3 && q4.mean < 0.5, "q4_0 |Δ| \(q4)")
        #expect(q8.mean < q4.mean / 3, "Q8_0 (\(q8)) should be much closer to F16 than Q4_0 (\(q4))")
    }

    /// The same cache through every kernel table this CPU runs. Per score the fast kernels differ
    /// from the reference only in float summation order (KVBlockKernelTests: 1e-5 relative), which
    /// these sensitive files turn into at most 0.08 (mean 0.009) through the 8-bit roundings of
    /// activations and queries: held to the 0.15 / 0.02 bounds Kinglet meets against llama.cpp
    /// (Gemma3ReferenceTests). A wrong kernel is off by units.
    @Test(arguments: ["gemma3", "llama"])
    func everyTableGivesTheReferenceLogits(fixture: String) throws {
        let (f, model) = try Self.load(fixture)
        for p in [KVCache.Precision.q8_0, .q4_0] {
            let want = try model.forward(f.tokens, state: Self.state(model, p, kernels: .reference()), logits: .all)
            for table in KernelTable.allRunnable() {
                let d = Self.diff(try model.forward(f.tokens, state: Self.state(model, p, kernels: table), logits: .all), want)
                #expect(d.max < 0.15 && d.mean < 0.02, "\(p) on \(table.name): |Δ| \(d)")
            }
        }
    }

    /// On rings so small that one pass goes in rounds (gemma3's local layers), one-shot, chunked
    /// and token-by-token evaluation store the same blocks and give the same logits.
    @Test(arguments: [KVCache.Precision.q8_0, .q4_0])
    func ringsChunksAndSingleTokensAgree(precision: KVCache.Precision) throws {
        let (f, model) = try Self.load("gemma3")
        #expect(model.config.slidingWindow != nil)
        let want = try model.forward(f.tokens, state: Self.state(model, precision), logits: .all)
        for room in [0, 3] {
            let chunked = Self.state(model, precision, batchRoom: room)
            var got: [Float] = [], start = 0
            for n in [5, 1, 9, 9] {
                got += try model.forward(Array(f.tokens[start ..< start + n]), state: chunked, logits: .all)
                start += n
            }
            #expect(Self.diff(got, want).max < 1e-4, "chunks, batchRoom \(room)")
            let single = Self.state(model, precision, batchRoom: room)
            got = []
            for t in f.tokens { got += try model.forward([t], state: single, logits: .last) }
            #expect(Self.diff(got, want).max < 1e-4, "token by token, batchRoom \(room)")
        }
    }

    /// Rewinding a quantized cache and evaluating again equals a fresh evaluation; its memory is
    /// whole blocks per row (Q8_0: 34 bytes, Q4_0: 18 per 32 values), rings capped at their slots.
    @Test(arguments: [KVCache.Precision.q8_0, .q4_0])
    func truncateAndMemory(precision: KVCache.Precision) throws {
        let (f, model) = try Self.load("gemma3")
        let c = model.config
        let block = precision == .q8_0 ? 34 : 18
        let rowBytes = c.kvHeadCount * c.headSize / 32 * block
        #expect(precision.rowBytes(c.kvHeadCount * c.headSize) == rowBytes)
        let room = 2
        let state = Self.state(model, precision, batchRoom: room)
        let layout = state.cache.layout
        let slots = (0 ..< c.layerCount).map { layout.capacity(layer: $0) }
        #expect(layout.byteCount(precision: precision) == slots.reduce(0, +) * rowBytes * 2)
        let fresh = try model.forward(f.tokens, state: Self.state(model, precision), logits: .all)
        let n = f.tokens.count
        _ = try model.forward(Array(f.tokens[..<n]), state: state, logits: .last)
        #expect(state.cache.usedBytes == slots.map { min(n, $0) }.reduce(0, +) * rowBytes * 2)
        // A rewind inside the ring's window keeps the prefix; one past it keeps nothing.
        let window = try #require(c.slidingWindow)
        let keep = n - 1
        #expect(state.cache.truncate(to: keep) == keep)
        let again = try model.forward(Array(f.tokens[keep...]), state: state, logits: .all)
        #expect(Self.diff(again, Array(fresh[keep * f.vocabularySize ..< n * f.vocabularySize])).max < 1e-4)
        #expect(state.cache.truncate(to: n - window - room - 1) == 0)
        let restart = try model.forward(f.tokens, state: state, logits: .all)
        #expect(Self.diff(restart, fresh).max < 1e-4)
    }

    /// A block cache needs heads of whole 32-element blocks: anything else is refused with a
    /// typed error that says what to use instead.
    @Test func headsThatAreNotWholeBlocksAreRefused() throws {
        #expect(throws: KVCacheError.headNotWholeBlocks(precision: .q8_0, headSize: 4, rowSize: 8, blockSize: 32)) {
            try KVCache.validate(.q8_0, headSize: 4, kvHeads: 2)
        }
        #expect(throws: KVCacheError.headNotWholeBlocks(precision: .q4_0, headSize: 48, rowSize: 96, blockSize: 32)) {
            try KVCache.validate(.q4_0, headSize: 48, kvHeads: 2)  // rows of 96 are whole blocks, heads are not
        }
        try KVCache.validate(.f16, headSize: 4, kvHeads: 2)
        try KVCache.validate(.q8_0, headSize: 64, kvHeads: 3)
        let e = KVCacheError.headNotWholeBlocks(precision: .q8_0, headSize: 4, rowSize: 8, blockSize: 32)
        #expect(e.description.contains("f16"), "the message names the cache types that work")
    }
}
