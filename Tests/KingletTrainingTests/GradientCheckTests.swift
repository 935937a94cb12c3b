import Foundation
import KingletArchitectures
import Testing
@testable import KingletTraining

/// Every op's backward against central finite differences on small random shapes. Each test
/// prints its relative error ‖numeric − analytic‖ / ‖·‖.
@Suite struct GradientCheckTests {
    static let tolerance = 2e-3

    func check(_ name: String, _ numeric: [Double], _ analytic: [Double]) {
        let e = relativeError(numeric, analytic)
        print("gradcheck \(name): relative error \(String(format: "%.2e", e)) over \(numeric.count) entries")
        #expect(e < Self.tolerance, "\(name)")
        #expect(analytic.contains { $0 != 0 }, "\(name): gradient is all zero")
    }

    @Test func matmul() {
        var r = TestRandom(1)
        let n = 5, inn = 7, out = 6
        var x = r.floats(n * inn), w = r.floats(out * inn, scale: 0.5)
        let proj = r.floats(n * out)
        func loss(_ x: [Float], _ w: [Float]) -> Double {
            var y = [Float](repeating: 0, count: n * out)
            MatmulOp.forward(&y, x, w, n: n, inputs: inn, outputs: out, pool: nil)
            return project(y, proj)
        }
        var dx = [Float](repeating: 0, count: n * inn), dw = [Float](repeating: 0, count: out * inn)
        MatmulOp.backward(dx: &dx, dw: &dw, dy: proj, x: x, w: w, n: n, inputs: inn, outputs: out, accumulateInput: false, pool: nil)
        let wCopy = w, xCopy = x
        check("matmul dx", numericGradient(&x, indices: Array(x.indices), h: 1e-2) { loss($0, wCopy) }, dx.map(Double.init))
        check("matmul dW", numericGradient(&w, indices: Array(w.indices), h: 1e-2) { loss(xCopy, $0) }, dw.map(Double.init))
    }

    @Test func rmsnorm() {
        var r = TestRandom(2)
        let n = 4, d = 24
        var x = r.floats(n * d), g = r.floats(d, scale: 0.3).map { $0 + 1 }
        let proj = r.floats(n * d)
        func loss(_ x: [Float], _ g: [Float]) -> Double {
            var y = [Float](repeating: 0, count: n * d), rs = [Float](repeating: 0, count: n)
            RMSNormOp.forward(&y, rstd: &rs, x, g, n: n, dim: d, eps: 1e-5, pool: nil)
            return project(y, proj)
        }
        var y = [Float](repeating: 0, count: n * d), rs = [Float](repeating: 0, count: n)
        RMSNormOp.forward(&y, rstd: &rs, x, g, n: n, dim: d, eps: 1e-5, pool: nil)
        var dx = [Float](repeating: 0, count: n * d), dg = [Float](repeating: 0, count: d)
        RMSNormOp.backward(dx: &dx, dg: &dg, dy: proj, x: x, g: g, rstd: rs, n: n, dim: d, pool: nil)
        let gc = g, xc = x
        check("rmsnorm dx", numericGradient(&x, indices: Array(x.indices), h: 1e-2) { loss($0, gc) }, dx.map(Double.init))
        check("rmsnorm dg", numericGradient(&g, indices: Array(g.indices), h: 1e-2) { loss(xc, $0) }, dg.map(Double.init))
    }

    @Test func rope() {
        var r = TestRandom(3)
        let t = 5, heads = 3, dh = 8, stride = heads * dh + 4  // stride > heads·Dh: untouched padding
        let table = RoPETable(length: t, dims: 6, base: 10000)
        var x = r.floats(2 * t * stride)
        let proj = r.floats(x.count)
        func loss(_ x: [Float]) -> Double {
            var y = x
            RoPEOp.apply(&y, rows: 2 * t, rowStride: stride, heads: heads, headSize: dh, table: table, inverse: false)
            return project(y, proj)
        }
        var dx = proj
        RoPEOp.apply(&dx, rows: 2 * t, rowStride: stride, heads: heads, headSize: dh, table: table, inverse: true)
        check("rope dx", numericGradient(&x, indices: Array(x.indices), h: 1e-2, loss), dx.map(Double.init))
    }

    @Test(arguments: [(4, 4), (4, 2), (4, 1)])
    func attention(heads: Int, kvHeads: Int) {
        var r = TestRandom(4)
        let shape = AttentionShape(batch: 2, length: 6, heads: heads, kvHeads: kvHeads, headSize: 8)
        let rows = shape.batch * shape.length
        var qkv = r.floats(rows * shape.rowStride)
        let proj = r.floats(rows * heads * shape.headSize)
        func loss(_ qkv: [Float]) -> Double {
            var y = [Float](repeating: 0, count: proj.count)
            var att = [Float](repeating: 0, count: shape.batch * heads * shape.length * shape.length)
            AttentionOp.forward(y: &y, att: &att, qkv: qkv, shape: shape, pool: nil)
            return project(y, proj)
        }
        var y = [Float](repeating: 0, count: proj.count)
        var att = [Float](repeating: 0, count: shape.batch * heads * shape.length * shape.length)
        AttentionOp.forward(y: &y, att: &att, qkv: qkv, shape: shape, pool: nil)
        var dqkv = [Float](repeating: .nan, count: qkv.count)
        AttentionOp.backward(dqkv: &dqkv, dy: proj, att: att, qkv: qkv, shape: shape, pool: nil)
        check("attention H\(heads)/Hkv\(kvHeads) dqkv", numericGradient(&qkv, indices: Array(qkv.indices), h: 1e-2, loss),
              dqkv.map(Double.init))
    }

    @Test func swiglu() {
        var r = TestRandom(5)
        let n = 3, ff = 10
        var gu = r.floats(n * 2 * ff, scale: 2)
        let proj = r.floats(n * ff)
        func loss(_ gu: [Float]) -> Double {
            var h = [Float](repeating: 0, count: n * ff)
            SwiGLUOp.forward(&h, gateUp: gu, n: n, ff: ff, pool: nil)
            return project(h, proj)
        }
        var dgu = [Float](repeating: 0, count: gu.count)
        SwiGLUOp.backward(dgateUp: &dgu, dh: proj, gateUp: gu, n: n, ff: ff, pool: nil)
        check("swiglu", numericGradient(&gu, indices: Array(gu.indices), h: 1e-2, loss), dgu.map(Double.init))
    }

    @Test func embedding() {
        var r = TestRandom(6)
        let v = 5, d = 4, tokens: [Int32] = [1, 3, 1, 0, 4, 1]
        var table = r.floats(v * d)
        let proj = r.floats(tokens.count * d)
        func loss(_ t: [Float]) -> Double {
            var x = [Float](repeating: 0, count: tokens.count * d)
            EmbeddingOp.forward(&x, t, tokens: tokens, n: tokens.count, dim: d)
            return project(x, proj)
        }
        var dt = [Float](repeating: 0, count: table.count)
        EmbeddingOp.backward(&dt, proj, tokens: tokens, n: tokens.count, dim: d)
        check("embedding", numericGradient(&table, indices: Array(table.indices), h: 1e-2, loss), dt.map(Double.init))
    }

    /// The tied head + softmax cross-entropy, with a masked row and chunking across 256-row chunks.
    @Test func outputHeadCrossEntropy() {
        var r = TestRandom(7)
        let n = 300, d = 6, v = 11
        var xn = r.floats(n * d), e = r.floats(v * d)
        let targets = r.ints(n, below: v)
        var weights = [Float](repeating: 1 / Float(n - 1), count: n)
        weights[17] = 0
        func loss(_ xn: [Float], _ e: [Float]) -> Double {
            var scratch = [Float](repeating: 0, count: OutputHeadOp.chunkRows * v)
            return targets.withUnsafeBufferPointer { t in weights.withUnsafeBufferPointer { w in
                OutputHeadOp.run(xn: xn, dxn: nil, embedding: e, dEmbedding: nil, n: n, dim: d, vocab: v, scratch: &scratch,
                                 loss: CrossEntropyLoss(targets: t.baseAddress!, weights: w.baseAddress!), pool: nil).loss
            } }
        }
        var dxn = [Float](repeating: 0, count: xn.count), de = [Float](repeating: 0, count: e.count)
        var scratch = [Float](repeating: 0, count: OutputHeadOp.chunkRows * v)
        _ = targets.withUnsafeBufferPointer { t in weights.withUnsafeBufferPointer { w in
            OutputHeadOp.run(xn: xn, dxn: &dxn, embedding: e, dEmbedding: &de, n: n, dim: d, vocab: v, scratch: &scratch,
                             loss: CrossEntropyLoss(targets: t.baseAddress!, weights: w.baseAddress!), pool: nil)
        } }
        let ec = e, xc = xn
        let idx = sampleIndices(xn.count, limit: 400)
        check("head+CE dxn", numericGradient(&xn, indices: idx, h: 1e-2) { loss($0, ec) }, idx.map { Double(dxn[$0]) })
        check("head+CE dE", numericGradient(&e, indices: Array(e.indices), h: 1e-2) { loss(xc, $0) }, de.map(Double.init))
        #expect(dxn[17 * d ..< 18 * d].allSatisfy { $0 == 0 }, "a masked row has no gradient")
    }

    /// The whole model's gradient on a tiny config, every parameter tensor sampled.
    @Test func wholeModel() {
        let config = ModelShape(dim: 16, layers: 2, heads: 4, kvHeads: 2, ffn: 24).config(vocabularySize: 29, contextLength: 8)
        let model = TrainableLlama.withLargeWeights(config)   // every path carries signal
        let B = 2, T = 8
        var data = TestRandom(9)
        let tokens = data.ints(B * (T + 1), below: config.vocabularySize)
        var inputs: [Int32] = [], targets: [Int32] = []
        for b in 0 ..< B {
            inputs += tokens[b * (T + 1) ..< b * (T + 1) + T]
            targets += tokens[b * (T + 1) + 1 ... b * (T + 1) + T]
        }
        let batch = TrainingBatch(batch: B, length: T, inputs: inputs, targets: targets,
                                  weights: [Float](repeating: 1 / Float(B * T), count: B * T))
        model.zeroGradients()
        model.trainStep(batch)
        var params = Array(UnsafeBufferPointer(start: model.parameters.pointer, count: model.layout.count))
        var numeric: [Double] = [], analytic: [Double] = []
        for t in model.layout.tensors {
            let idx = sampleIndices(t.count, limit: 24).map { $0 + t.offset }
            let fd = numericGradient(&params, indices: idx, h: 1e-2) { p in
                p.withUnsafeBufferPointer { model.setParameters($0) }
                return model.evaluate(batch).loss
            }
            let an = idx.map { Double(model.gradients.pointer[$0]) }
            let e = relativeError(fd, an)
            print("gradcheck model \(t.name): relative error \(String(format: "%.2e", e))")
            numeric += fd
            analytic += an
        }
        check("whole model (all tensors)", numeric, analytic)
    }
}
