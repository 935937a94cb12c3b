import Foundation
import KingletGGUF
import KingletKernels
import Testing
@testable import KingletTraining

/// Pruning keeps a valid model that computes what the source computes without the parts it cut.
@Suite struct PruneTests {
    static let vocab = DataFixtures.configuration().tokens.count

    /// A tiny model whose layer 1 adds nothing (zero attention output and feed-forward down
    /// projections) and whose layer 0 has 32 dead feed-forward channels (zero `up` rows): every
    /// measured importance of those parts is exactly zero, and cutting them changes no logit.
    static func modelWithDeadParts() throws -> PretrainedWeights {
        let (url, _) = try ExportTests.export(try TinyCheckpoint().write(), .f32)
        var w = try PretrainedWeights.load(url)
        let layout = ParameterLayout(w.config)
        for t in layout.tensors where ["blk.1.attn_output.weight", "blk.1.ffn_down.weight"].contains(t.name) {
            for i in t.offset ..< t.offset + t.count { w.parameters[i] = 0 }
        }
        let up = layout.tensors.first { $0.name == "blk.0.ffn_up.weight" }!
        for row in 0 ..< 32 { for i in 0 ..< up.cols { w.parameters[up.offset + row * up.cols + i] = 0 } }
        return w
    }

    static func windows(_ count: Int, length: Int) -> [[Int32]] {
        var rng = SplitMix64(state: 5)
        return (0 ..< count).map { _ in (0 ..< length).map { _ in Int32(rng.next() % UInt64(vocab)) } }
    }

    @Test func cuttingDeadPartsChangesNoLogitAndTheFileRuns() throws {
        let source = try Self.modelWithDeadParts()
        let (pruned, plan) = try ModelPruning.prune(source, spec: PruneSpec(layers: 1, ffn: 64), windows: Self.windows(2, length: 16), pool: nil)
        #expect(plan.keptLayers == [0])
        #expect(plan.keptChannels == [Array(32 ..< 96)])
        #expect(plan.layerDropKL[1] == 0 && plan.layerDropKL[0] > 0, "\(plan.layerDropKL)")
        #expect(pruned.config.layerCount == 1 && pruned.config.feedForwardSize == 64)
        let probe = ExportTests.tokens
        let before = TrainableLlama(weights: source, pool: nil).logits(tokens: probe)
        let after = TrainableLlama(weights: pruned, pool: nil).logits(tokens: probe)
        let diff = zip(before, after).map { abs($0 - $1) }.max() ?? .infinity
        #expect(before.count == after.count && diff <= 1e-5, "max |Δlogit| \(diff)")
        // The written GGUF is a model the inference engine runs, with the same numbers.
        let url = try DataFixtures.temporaryDirectory().appendingPathComponent("pruned.gguf")
        try pruned.write(to: url, name: "pruned")
        let engine = try TinyCheckpoint.logits(url, tokens: probe)
        let engineDiff = zip(engine, after).map { abs($0 - $1) }.max() ?? .infinity
        #expect(engine.count == after.count && engineDiff <= 1e-4, "engine vs training forward \(engineDiff)")
        // And it reads back without loss.
        #expect(try PretrainedWeights.load(url).parameters == pruned.parameters)
    }

    /// An explicit plan slices rows of gate/up and columns of down: the pruned model equals the
    /// source with the other channels' activations zeroed and the other layers skipped.
    @Test func anExplicitPlanSlicesTheRightRowsAndColumns() throws {
        let (url, _) = try ExportTests.export(try TinyCheckpoint().write(), .f32)
        let source = try PretrainedWeights.load(url)
        let channels = [Array(stride(from: 0, to: 96, by: 2)), Array(stride(from: 1, to: 96, by: 2))]
        let plan = PrunePlan(spec: PruneSpec(ffn: 48), keptLayers: [0, 1], keptChannels: channels)
        let pruned = try Pruner.prune(source, plan: plan)
        // Zero the dropped channels' up rows in a copy of the source: same function.
        var zeroed = source
        let layout = ParameterLayout(source.config)
        for (l, kept) in channels.enumerated() {
            let up = layout.tensors.first { $0.name == "blk.\(l).ffn_up.weight" }!
            for row in Set(0 ..< 96).subtracting(kept) { for i in 0 ..< up.cols { zeroed.parameters[up.offset + row * up.cols + i] = 0 } }
        }
        let a = TrainableLlama(weights: zeroed, pool: nil).logits(tokens: ExportTests.tokens)
        let b = TrainableLlama(weights: pruned, pool: nil).logits(tokens: ExportTests.tokens)
        #expect(zip(a, b).map { abs($0 - $1) }.max()! <= 1e-5)
        // A plan with uneven channel counts or a repeated layer is refused.
        #expect(throws: PruneError.self) { try Pruner.prune(source, plan: PrunePlan(spec: PruneSpec(), keptLayers: [0, 0], keptChannels: channels)) }
        #expect(throws: PruneError.self) {
            try Pruner.prune(source, plan: PrunePlan(spec: PruneSpec(), keptLayers: [0, 1], keptChannels: [[0, 1], [0]]))
        }
    }

    @Test func theLayersBelowTheFirstCutAreUntouched() throws {
        let full = [[Int]](repeating: Array(0 ..< 8), count: 5)
        #expect(PrunePlan(spec: PruneSpec(layers: 5), keptLayers: [0, 1, 2, 5, 6], keptChannels: full).untouchedLayers == 3)
        #expect(PrunePlan(spec: PruneSpec(layers: 2), keptLayers: [1, 2], keptChannels: full).untouchedLayers == 0)
        #expect(PrunePlan(spec: PruneSpec(layers: 3), keptLayers: [0, 1, 2], keptChannels: full).untouchedLayers == 3)
        // Channels cut from every layer: none is as it was.
        #expect(PrunePlan(spec: PruneSpec(layers: 5, ffn: 4), keptLayers: [0, 1, 2, 5, 6], keptChannels: full).untouchedLayers == 0)
        // The plan reads back as written.
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("plan-\(UInt64.random(in: 0 ... .max)).json")
        defer { try? FileManager.default.removeItem(at: url) }
        let plan = PrunePlan(spec: PruneSpec(layers: 5), keptLayers: [0, 1, 2, 5, 6], keptChannels: full)
        try plan.write(to: url)
        #expect(try PrunePlan.read(from: url) == plan)
    }

    /// Each layer's KL is what full passes give with that layer skipped: the passes that resume
    /// from the reference pass's residual stream change nothing.
    @Test func resumedPassesMeasureWhatFullPassesMeasure() {
        let config = ModelShape(dim: 16, layers: 6, heads: 4, kvHeads: 2, ffn: 24).config(vocabularySize: 29, contextLength: 16)
        let model = TrainableLlama.withLargeWeights(config)
        var r = TestRandom(9)
        let windows = (0 ..< 2).map { _ in r.ints(16, below: 29) }, tokens = windows.flatMap { $0 }, rows = 32
        func logProbs(skipping: Set<Int>) -> [Float] {
            let a = model.prepare(batch: 2, length: 16, training: false)
            tokens.withUnsafeBufferPointer { model.forwardLayers($0.baseAddress!, a, skipping: skipping) }
            var out = [Float](repeating: 0, count: rows * 29)
            out.withUnsafeMutableBufferPointer { model.logSoftmaxHead(a, into: $0.baseAddress!) }
            return out
        }
        let full = logProbs(skipping: [])
        let measured = CalibrationStatistics.measure(model, windows: windows, length: 16)
        for l in 0 ..< 6 {
            let direct = CalibrationStatistics.meanKL(full, logProbs(skipping: [l]), rows: rows, vocabulary: 29, pool: nil)
            #expect(measured.layerDropKL[l] == direct && direct > 0, "layer \(l): \(measured.layerDropKL[l]) against \(direct)")
        }
    }

    @Test func specsParseAndRefuseWhatCannotBeKept() throws {
        #expect(try PruneSpec(parsing: "layers=16,ffn=1024") == PruneSpec(layers: 16, ffn: 1024))
        #expect(try PruneSpec(parsing: "ffn=8") == PruneSpec(ffn: 8))
        for bad in ["", "layers=0", "layers=x", "depth=3", "layers=2,layers=3", "layers=2,"] {
            #expect(throws: PruneError.self, "\(bad)") { _ = try PruneSpec(parsing: bad) }
        }
        let source = try Self.modelWithDeadParts()
        #expect(throws: PruneError.tooLarge(what: "layers", asked: 3, available: 2)) {
            _ = try ModelPruning.prune(source, spec: PruneSpec(layers: 3), windows: Self.windows(1, length: 8), pool: nil)
        }
        #expect(throws: PruneError.self) { _ = try ModelPruning.windows(from: [[1, 2, 3]], length: 8, count: 2) }
        #expect(try ModelPruning.windows(from: [[1, 2, 3], [4, 5, 6, 7, 8]], length: 4, count: 5) == [[1, 2, 3, 4], [5, 6, 7, 8]])
    }
}
