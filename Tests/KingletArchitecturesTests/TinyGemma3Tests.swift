import Foundation
import KingletArchitectures
import KingletGGUF
import KingletKernels
import KingletTestSupport
import Testing

/// A tiny gemma3 written by our GGUF writer (odd sizes, GQA, local and global layers, a window
/// shorter than the sequences), run by `Gemma3Model` and checked against a float64 forward pass
/// written here from the definition; and the sliding-window KV cache: bounded memory, chunked
/// prefill = one-shot prefill = token-by-token decoding across the window boundary, rewinds.
@Suite struct TinyGemma3Tests {
    typealias G = TinyGemma3File
    static let D = G.D, H = G.H, Hkv = G.Hkv, Dh = G.Dh, F = G.F, V = G.V, L = G.L, W = G.window

    /// ggml's GELU: the input rounded to F16, the result rounded to F16 (its lookup table).
    static func geluF16(_ x: Double) -> Double {
        let f = Float(x)
        if f <= -10 { return 0 }
        if f >= 10 { return Double(f) }
        let h = Double(halfToFloat(floatToHalf(f)))
        let g = 0.5 * h * (1 + tanh(0.79788456080286535587989211986876 * h * (1 + 0.044715 * h * h)))
        return Double(halfToFloat(floatToHalf(Float(g))))
    }

    /// The definition, in float64: tokens → logits [T, V].
    static func referenceForward(_ w: [String: [Float]], tokens: [Int], _ o: G.Options) -> [[Double]] {
        let pattern = o.pattern ?? G.defaultPattern
        func mat(_ name: String, _ x: [Double], rows: Int, cols: Int) -> [Double] {
            let m = w[name]!
            return (0 ..< rows).map { r in (0 ..< cols).reduce(0.0) { $0 + Double(m[r * cols + $1]) * x[$1] } }
        }
        func rms(_ x: [Double], _ g: [Float]) -> [Double] {
            let s = 1 / (x.map { $0 * $0 }.reduce(0, +) / Double(x.count) + Double(G.eps)).squareRoot()
            return x.indices.map { x[$0] * s * Double(g[$0 % g.count]) }
        }
        func rmsHeads(_ x: [Double], _ g: [Float], heads: Int) -> [Double] {
            (0 ..< heads).flatMap { h in rms(Array(x[h * Dh ..< (h + 1) * Dh]), g) }
        }
        func rope(_ v: [Double], pos: Int, heads: Int, base: Double) -> [Double] {  // NeoX: halves
            var out = v
            for h in 0 ..< heads {
                for i in 0 ..< Dh / 2 {
                    let theta = Double(pos) * pow(base, -2 * Double(i) / Double(Dh))
                    let a = v[h * Dh + i], b = v[h * Dh + i + Dh / 2]
                    out[h * Dh + i] = a * cos(theta) - b * sin(theta)
                    out[h * Dh + i + Dh / 2] = a * sin(theta) + b * cos(theta)
                }
            }
            return out
        }
        let embScale = Double(Float(D).squareRoot())
        var xs = tokens.map { t in (0 ..< D).map { Double(w["emb"]![t * D + $0]) * embScale } }
        for l in 0 ..< L {
            let p = "blk.\(l).", local = pattern[l]
            let base = Double(local ? o.localRopeBase ?? G.localRopeBase : G.ropeBase)
            var ks: [[Double]] = [], vs: [[Double]] = []
            var next: [[Double]] = []
            for (t, x) in xs.enumerated() {
                let h = rms(x, w[p + "an"]!)
                let q = rope(rmsHeads(mat(p + "q", h, rows: H * Dh, cols: D), w[p + "qn"]!, heads: H), pos: t, heads: H, base: base)
                ks.append(rope(rmsHeads(mat(p + "k", h, rows: Hkv * Dh, cols: D), w[p + "kn"]!, heads: Hkv), pos: t, heads: Hkv, base: base))
                vs.append(mat(p + "v", h, rows: Hkv * Dh, cols: D))
                let first = local ? max(0, t - W + 1) : 0
                var att = [Double](repeating: 0, count: H * Dh)
                for hh in 0 ..< H {
                    let kvh = hh / (H / Hkv)
                    let scores = (first ... t).map { s in
                        (0 ..< Dh).reduce(0.0) { $0 + q[hh * Dh + $1] * ks[s][kvh * Dh + $1] } / Double(Dh).squareRoot()
                    }
                    let m = scores.max()!
                    let e = scores.map { exp($0 - m) }
                    let z = e.reduce(0, +)
                    for (j, s) in (first ... t).enumerated() { for d in 0 ..< Dh { att[hh * Dh + d] += e[j] / z * vs[s][kvh * Dh + d] } }
                }
                var y = zip(x, rms(mat(p + "o", att, rows: D, cols: H * Dh), w[p + "pan"]!)).map(+)
                let h2 = rms(y, w[p + "fn"]!)
                let g = mat(p + "g", h2, rows: F, cols: D), u = mat(p + "u", h2, rows: F, cols: D)
                let act = (0 ..< F).map { geluF16(g[$0]) * u[$0] }
                y = zip(y, rms(mat(p + "d", act, rows: D, cols: F), w[p + "pfn"]!)).map(+)
                next.append(y)
            }
            xs = next
        }
        return xs.map { x in
            let z = mat(o.tied ? "emb" : "out", rms(x, w["on"]!), rows: V, cols: D)
            guard let cap = o.finalLogitSoftcap.map(Double.init) else { return z }
            return z.map { cap * tanh($0 / cap) }
        }
    }

    static func load(_ writer: GGUFWriter) throws -> any LanguageModel {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tiny-gemma3-\(UUID().uuidString).gguf").path
        try writer.write(to: path)
        defer { unlink(path) }  // the mapping stays valid after unlink
        return try ArchitectureRegistry.load(try GGUFFile(path: path), options: ModelLoadOptions(pool: ThreadPool(threads: 2)))
    }

    /// A cache laid out as the model asks, with rings of window + `batchRoom`.
    static func ringState(_ m: any LanguageModel, batchRoom: Int, _ p: KVCache.Precision = .f32) -> ModelState {
        ModelState(cache: KVCache(layout: KVCache.Layout(m.config, batchRoom: batchRoom), precision: p))
    }

    /// A cache where every layer keeps the whole context.
    static func fullState(_ m: any LanguageModel, _ p: KVCache.Precision = .f32) -> ModelState {
        let c = m.config
        return ModelState(cache: KVCache(layers: c.layerCount, capacity: c.contextLength, rowSize: c.kvHeadCount * c.headSize, precision: p))
    }

    static let tokens: [Int32] = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4, 6, 2, 6, 28, 0, 27]

    static func maxDiff(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count, "\(a.count) vs \(b.count) logits")
        return zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    @Test(arguments: [
        G.Options(),
        G.Options(tied: false, localRopeBase: 20000, finalLogitSoftcap: 3),
        G.Options(pattern: [true, false, true, true, false, true, true]),
    ])
    func forwardMatchesTheDefinition(options: G.Options) throws {
        let (writer, weights) = G.build(options)
        let model = try Self.load(writer)
        let want = Self.referenceForward(weights, tokens: Self.tokens.map(Int.init), options)
        let got = try model.forward(Self.tokens, state: Self.ringState(model, batchRoom: 2), logits: .all)
        var worst = 0.0
        for t in Self.tokens.indices { for v in 0 ..< Self.V { worst = max(worst, abs(Double(got[t * Self.V + v]) - want[t][v])) } }
        // Float32 against float64 through 7 layers. GELU's F16 table is in the reference too, but
        // where a gate input lies next to an F16 rounding boundary the float32 and float64 inputs
        // round to neighbouring halves: one activation one F16 step apart moves the logits by up
        // to ~1e-3 (exact GELU in the reference gives ~5e-3 everywhere; without a straddle the
        // cases agree within 1e-4).
        #expect(worst < 2e-3, "max |Δ| = \(worst)")
    }

    @Test func configurationReadsTheGemmaKeys() throws {
        let model = try Self.load(G.build(G.Options(localRopeBase: 20000, finalLogitSoftcap: 30)).0)
        let c = model.config
        #expect(c.slidingWindow == Self.W)
        #expect(c.slidingLayers == G.defaultPattern)
        #expect(c.slidingLayers == [true, true, true, true, true, false, true])
        #expect(c.ropeFreqBase(layer: 5) == G.ropeBase)
        #expect(c.ropeFreqBase(layer: 0) == 20000)
        #expect(c.finalLogitSoftcap == 30)
        #expect(c.attentionLogitSoftcap == nil)
        #expect(c.embeddingScale == Float(Self.D).squareRoot())
        #expect(c.queryScale == 1 / Float(Self.Dh).squareRoot())
        let layout = KVCache.Layout(c, batchRoom: 3)
        #expect(layout.layers[5] == .full && layout.layers[0] == .sliding(window: Self.W))
        #expect(layout.capacity(layer: 0) == Self.W + 3 && layout.capacity(layer: 5) == c.contextLength)
    }

    /// One forward pass over the whole prompt, the same in chunks that cross the window, token by
    /// token, on rings so small that one pass goes in rounds: the same logits.
    @Test(arguments: [KVCache.Precision.f32, .f16])
    func chunkedPrefillEqualsOneShotEqualsTokenByToken(precision: KVCache.Precision) throws {
        let model = try Self.load(G.build().0)
        let want = try model.forward(Self.tokens, state: Self.fullState(model, precision), logits: .all)
        for room in [0, 2, 9] {
            let oneShot = try model.forward(Self.tokens, state: Self.ringState(model, batchRoom: room, precision), logits: .all)
            #expect(Self.maxDiff(oneShot, want) < 1e-4, "one shot, batchRoom \(room)")

            let chunked = Self.ringState(model, batchRoom: room, precision)
            var got: [Float] = [], start = 0
            for n in [4, 7, 1, 11, 3] {
                got += try model.forward(Array(Self.tokens[start ..< start + n]), state: chunked, logits: .all)
                start += n
            }
            #expect(start == Self.tokens.count)
            #expect(Self.maxDiff(got, want) < 1e-4, "chunks, batchRoom \(room)")

            let single = Self.ringState(model, batchRoom: room, precision)
            got = []
            for t in Self.tokens { got += try model.forward([t], state: single, logits: .last) }
            #expect(Self.maxDiff(got, want) < 1e-4, "token by token, batchRoom \(room)")
            #expect(single.cache.count == Self.tokens.count)
        }
    }

    /// Local layers keep window + batchRoom positions however long the sequence; global layers
    /// the context.
    @Test func slidingWindowCacheMemoryStaysBounded() throws {
        let model = try Self.load(G.build().0)
        let c = model.config
        let room = 2, ring = Self.W + room
        let state = Self.ringState(model, batchRoom: room)
        let rowBytes = c.kvHeadCount * c.headSize * 2 * 4  // K and V, F32
        let locals = G.defaultPattern.filter { $0 }.count
        #expect(state.cache.layout.byteCount(precision: .f32) == (locals * ring + (Self.L - locals) * c.contextLength) * rowBytes)
        for (i, t) in (Self.tokens + Self.tokens).enumerated() {
            _ = try model.forward([t], state: state, logits: .last)
            let n = i + 1
            #expect(state.cache.usedBytes == (locals * min(n, ring) + (Self.L - locals) * n) * rowBytes)
        }
        // Gemma 3 270M: 15 local layers of 512 + 512, 3 global of 32,768, one KV head of 256, F16.
        var g = ModelConfig(architecture: "gemma3", layerCount: 18, embeddingSize: 640, headCount: 4, kvHeadCount: 1, headSize: 256,
                            feedForwardSize: 2048, vocabularySize: 262_144, contextLength: 32768)
        g.slidingWindow = 512
        g.slidingLayers = (0 ..< 18).map { $0 % 6 != 5 }
        #expect(KVCache.Layout(g).byteCount(precision: .f16) == (15 * 1024 + 3 * 32768) * 256 * 2 * 2)
        #expect(KVCache.byteCount(layers: 18, capacity: 32768, rowSize: 256, precision: .f16) == 18 * 32768 * 256 * 2 * 2)
    }

    /// Rewinding within the ring keeps the prefix (and continuing gives what a fresh pass gives);
    /// rewinding past what the ring still holds keeps nothing, so the caller evaluates again.
    @Test func truncateKeepsWhatTheRingHoldsOrForcesReevaluation() throws {
        let model = try Self.load(G.build().0)
        let want = try model.forward(Self.tokens, state: Self.fullState(model), logits: .all)
        let state = Self.ringState(model, batchRoom: 2)  // rings of 7 for a window of 5
        _ = try model.forward(Array(Self.tokens[..<12]), state: state, logits: .last)   // rings hold 5..<12
        #expect(state.cache.truncate(to: 11) == 11)   // needs 7..<11
        #expect(state.cache.truncate(to: 9) == 9)     // needs 5..<9
        let rest = try model.forward(Array(Self.tokens[9...]), state: state, logits: .all)
        #expect(Self.maxDiff(rest, Array(want[(9 * Self.V)...])) < 1e-4)

        #expect(state.cache.truncate(to: 12) == 0)    // rings now hold 19..<26; 12 needs 8..<12
        #expect(state.cache.count == 0)
        let again = Self.ringState(model, batchRoom: 2)
        _ = try model.forward(Array(Self.tokens[..<12]), state: again, logits: .last)
        #expect(again.cache.truncate(to: 8) == 0)     // needs 4..<8, but 4 is gone
        #expect(again.cache.count == 0)
        let fresh = try model.forward(Self.tokens, state: again, logits: .all)
        #expect(Self.maxDiff(fresh, want) < 1e-4)

        // A full cache rewinds anywhere.
        let full = Self.fullState(model)
        _ = try model.forward(Self.tokens, state: full, logits: .last)
        #expect(full.cache.truncate(to: 3) == 3)
    }

    /// Continuous batching with rings: sequences at different positions in one pass give what each
    /// gives alone.
    @Test func multiSequenceBatchEqualsSeparatePasses() throws {
        let model = try Self.load(G.build().0)
        let prompts: [[Int32]] = [Array(Self.tokens[..<3]), Array(Self.tokens[..<11]), [7]]
        let next: [[Int32]] = [Array(Self.tokens[3 ..< 9]), [10, 0], [8]]
        var alone: [[Float]] = []
        for (p, n) in zip(prompts, next) {
            let s = Self.ringState(model, batchRoom: 1)
            _ = try model.forward(p, state: s, logits: .last)
            alone.append(try model.forward(n, state: s, logits: .all))
        }
        let states = prompts.map { _ in Self.ringState(model, batchRoom: 1) }
        _ = try model.forward(zip(prompts, states).map { SequenceInput(tokens: $0, state: $1, logits: .last) })
        let together = try model.forward(zip(next, states).map { SequenceInput(tokens: $0, state: $1, logits: .all) })
        for i in prompts.indices {
            #expect(Self.maxDiff(together[i], alone[i]) < 1e-5, "sequence \(i)")
            #expect(states[i].cache.count == prompts[i].count + next[i].count)
        }
    }

    /// Every new metadata value is checked at load: a typed error naming the key, never a trap.
    @Test(arguments: [
        ("gemma3.attention.sliding_window", GGUFValue.uint32(0)),
        ("gemma3.attention.sliding_window", .string("512")),
        ("gemma3.attention.sliding_window_pattern", .array(.bool, [.bool(true), .bool(false)])),
        ("gemma3.attention.sliding_window_pattern", .array(.string, (0 ..< 7).map { _ in .string("yes") })),
        ("gemma3.attention.sliding_window_pattern", .int32(-6)),
        ("gemma3.rope.freq_base_swa", .float32(-1)),
        ("gemma3.final_logit_softcapping", .float32(.nan)),
        ("gemma3.final_logit_softcapping", .float32(0)),
    ])
    func hostileMetadataIsATypedError(key: String, value: GGUFValue) throws {
        var (writer, _) = G.build()
        writer.set(key, value)
        do {
            _ = try Self.load(writer)
            Issue.record("\(key) = \(value) accepted")
        } catch let e as ModelError {
            guard case .badMetadata(let named, _) = e else { Issue.record("\(e)"); return }
            #expect(named == key)
        }
    }
}
