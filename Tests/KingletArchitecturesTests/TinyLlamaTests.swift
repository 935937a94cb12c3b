import Foundation
import KingletArchitectures
import KingletGGUF
import KingletKernels
import KingletTestSupport
import Testing

/// A tiny llama written by our GGUF writer with random F32 weights, run by `LlamaModel`, and
/// checked against a plain float64 forward pass written here from the definition.
@Suite struct TinyLlamaTests {
    // D=16, H=4, Hkv=2, Dh=4, F=24, V=11, L=2 (the shared TinyLlamaFile)
    static let D = TinyLlamaFile.D, H = TinyLlamaFile.H, Hkv = TinyLlamaFile.Hkv, Dh = TinyLlamaFile.Dh
    static let F = TinyLlamaFile.F, V = TinyLlamaFile.V, L = TinyLlamaFile.L
    static let base = TinyLlamaFile.ropeBase, eps = TinyLlamaFile.eps

    static func buildFile(tied: Bool) -> (GGUFWriter, [String: [Float]]) { TinyLlamaFile.build(tied: tied) }

    /// The definition, in float64: x [T, D] → logits [T, V].
    static func referenceForward(_ w: [String: [Float]], tokens: [Int], tied: Bool) -> [[Double]] {
        func mat(_ name: String, _ x: [Double], rows: Int, cols: Int) -> [Double] {
            let m = w[name]!
            return (0 ..< rows).map { r in (0 ..< cols).reduce(0.0) { $0 + Double(m[r * cols + $1]) * x[$1] } }
        }
        func rms(_ x: [Double], _ name: String) -> [Double] {
            let g = w[name]!
            let s = 1 / (x.map { $0 * $0 }.reduce(0, +) / Double(x.count) + Double(eps)).squareRoot()
            return x.indices.map { x[$0] * s * Double(g[$0]) }
        }
        func rope(_ v: [Double], pos: Int, heads: Int) -> [Double] {
            var o = v
            for h in 0 ..< heads {
                for i in 0 ..< Dh / 2 {
                    let theta = Double(pos) * pow(Double(base), -2 * Double(i) / Double(Dh))
                    let a = v[h * Dh + 2 * i], b = v[h * Dh + 2 * i + 1]
                    o[h * Dh + 2 * i] = a * cos(theta) - b * sin(theta)
                    o[h * Dh + 2 * i + 1] = a * sin(theta) + b * cos(theta)
                }
            }
            return o
        }
        var xs = tokens.map { t in (0 ..< D).map { Double(w["emb"]![t * D + $0]) } }
        for l in 0 ..< L {
            let p = "blk.\(l)."
            var ks: [[Double]] = [], vs: [[Double]] = []
            var next: [[Double]] = []
            for (t, x) in xs.enumerated() {
                let h = rms(x, p + "an")
                let q = rope(mat(p + "q", h, rows: H * Dh, cols: D), pos: t, heads: H)
                ks.append(rope(mat(p + "k", h, rows: Hkv * Dh, cols: D), pos: t, heads: Hkv))
                vs.append(mat(p + "v", h, rows: Hkv * Dh, cols: D))
                var att = [Double](repeating: 0, count: H * Dh)
                for hh in 0 ..< H {
                    let kvh = hh / (H / Hkv)
                    let scores = (0 ... t).map { s in (0 ..< Dh).reduce(0.0) { $0 + q[hh * Dh + $1] * ks[s][kvh * Dh + $1] } / Double(Dh).squareRoot() }
                    let m = scores.max()!
                    let e = scores.map { exp($0 - m) }
                    let z = e.reduce(0, +)
                    for s in 0 ... t { for d in 0 ..< Dh { att[hh * Dh + d] += e[s] / z * vs[s][kvh * Dh + d] } }
                }
                var y = zip(x, mat(p + "o", att, rows: D, cols: H * Dh)).map(+)
                let h2 = rms(y, p + "fn")
                let g = mat(p + "g", h2, rows: F, cols: D), u = mat(p + "u", h2, rows: F, cols: D)
                let act = (0 ..< F).map { g[$0] / (1 + exp(-g[$0])) * u[$0] }
                y = zip(y, mat(p + "d", act, rows: D, cols: F)).map(+)
                next.append(y)
            }
            xs = next
        }
        return xs.map { mat(tied ? "emb" : "out", rms($0, "on"), rows: V, cols: D) }
    }

    static func load(_ writer: GGUFWriter) throws -> (any LanguageModel, GGUFFile) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tiny-\(UUID().uuidString).gguf").path
        try writer.write(to: path)
        defer { unlink(path) }  // the mapping stays valid after unlink
        let f = try GGUFFile(path: path)
        return (try ArchitectureRegistry.load(f, options: ModelLoadOptions(pool: ThreadPool(threads: 2))), f)
    }

    @Test(arguments: [true, false])
    func batchedForwardMatchesTheDefinition(tied: Bool) throws {
        let (writer, weights) = Self.buildFile(tied: tied)
        let (model, _) = try Self.load(writer)
        let tokens = [3, 1, 4, 1, 5, 9, 2, 6]
        let want = Self.referenceForward(weights, tokens: tokens, tied: tied)
        let c = model.config
        let state = ModelState(cache: KVCache(layers: c.layerCount, capacity: 64, rowSize: c.kvHeadCount * c.headSize, precision: .f32))
        let got = try model.forward(tokens.map(Int32.init), state: state, logits: .all)
        var worst = 0.0
        for t in tokens.indices { for v in 0 ..< Self.V { worst = max(worst, abs(Double(got[t * Self.V + v]) - want[t][v])) } }
        #expect(worst < 1e-4, "max |Δ| = \(worst)")
    }

    @Test func tokenByTokenEqualsBatched() throws {
        let (writer, _) = Self.buildFile(tied: true)
        let (model, _) = try Self.load(writer)
        let c = model.config
        let tokens: [Int32] = [3, 1, 4, 1, 5, 9, 2, 6]
        for precision in [KVCache.Precision.f32, .f16] {
            let a = ModelState(cache: KVCache(layers: c.layerCount, capacity: 64, rowSize: c.kvHeadCount * c.headSize, precision: precision))
            let batched = try model.forward(tokens, state: a, logits: .all)
            let b = ModelState(cache: KVCache(layers: c.layerCount, capacity: 64, rowSize: c.kvHeadCount * c.headSize, precision: precision))
            _ = try model.forward(Array(tokens[0 ..< 3]), state: b, logits: .last)
            var last: [Float] = []
            for t in tokens[3...] { last = try model.forward([t], state: b, logits: .last) }
            let want = Array(batched[(tokens.count - 1) * Self.V ..< tokens.count * Self.V])
            let worst = zip(last, want).map { abs($0 - $1) }.max()!
            #expect(worst < 1e-4, "\(precision): max |Δ| = \(worst)")
            #expect(b.cache.count == tokens.count)
        }
    }

    /// Continuous batching: several sequences at different positions in one pass give exactly
    /// what each gives alone.
    @Test func multiSequenceBatchEqualsSeparatePasses() throws {
        let (writer, _) = Self.buildFile(tied: true)
        let (model, _) = try Self.load(writer)
        let c = model.config
        func state() -> ModelState {
            ModelState(cache: KVCache(layers: c.layerCount, capacity: 64, rowSize: c.kvHeadCount * c.headSize, precision: .f32))
        }
        let prompts: [[Int32]] = [[3, 1, 4], [1, 5, 9, 2, 6, 5], [7]]
        let next: [[Int32]] = [[2], [10, 0], [8]]
        var alone: [[Float]] = []
        for (p, n) in zip(prompts, next) {
            let s = state()
            _ = try model.forward(p, state: s, logits: .last)
            alone.append(try model.forward(n, state: s, logits: .all))
        }
        let states = prompts.map { _ in state() }
        _ = try model.forward(zip(prompts, states).map { SequenceInput(tokens: $0, state: $1, logits: .last) })
        let together = try model.forward(zip(next, states).map { SequenceInput(tokens: $0, state: $1, logits: .all) })
        for i in prompts.indices {
            #expect(together[i].count == next[i].count * Self.V)
            let worst = zip(together[i], alone[i]).map { abs($0 - $1) }.max()!
            #expect(worst < 1e-5, "sequence \(i): max |Δ| = \(worst)")
            #expect(states[i].cache.count == prompts[i].count + next[i].count)
        }
    }

    @Test func badInputIsATypedErrorNotACrash() throws {
        let (writer, _) = Self.buildFile(tied: true)
        let (model, _) = try Self.load(writer)
        let c = model.config
        let state = ModelState(cache: KVCache(layers: c.layerCount, capacity: 4, rowSize: c.kvHeadCount * c.headSize))
        #expect(throws: ModelError.tokenOutOfRange(11, vocabularySize: 11)) { try model.forward([11], state: state, logits: .last) }
        #expect(throws: ModelError.tokenOutOfRange(-1, vocabularySize: 11)) { try model.forward([-1], state: state, logits: .last) }
        #expect(throws: ModelError.contextFull(needed: 5, capacity: 4)) { try model.forward([1, 2, 3, 4, 5], state: state, logits: .last) }
    }

    @Test func missingTensorAndBadShapeAreNamed() throws {
        var (writer, _) = Self.buildFile(tied: true)
        writer.set("llama.embedding_length", uint32: 20)
        #expect(throws: ModelError.self) { try Self.load(writer) }
        var w2 = GGUFWriter()
        w2.set("general.architecture", "mamba")
        do {
            _ = try Self.load(w2)
            Issue.record("unsupported architecture accepted")
        } catch let e as ModelError {
            #expect(e.localizedDescription.contains("mamba"))
        }
    }
}
