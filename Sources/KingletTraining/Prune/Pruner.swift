import Foundation
import KingletArchitectures

/// How much of a model to keep: whole layers (depth) and feed-forward channels per layer
/// (width). Written `layers=16,ffn=1024` (either part may be left out: keep all of it).
public struct PruneSpec: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Layers kept; nil: all.
    public var layers: Int?
    /// Feed-forward channels kept in every layer; nil: all.
    public var ffn: Int?

    public init(layers: Int? = nil, ffn: Int? = nil) {
        self.layers = layers
        self.ffn = ffn
    }

    /// Parses `layers=N,ffn=M` (comma-separated `key=value`, each key at most once).
    public init(parsing text: String) throws(PruneError) {
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard kv.count == 2, let n = Int(kv[1]), n > 0 else { throw .badSpec(text, reason: "'\(part)' is not key=positive integer") }
            switch kv[0] {
            case "layers" where layers == nil: layers = n
            case "ffn" where ffn == nil: ffn = n
            default: throw .badSpec(text, reason: "'\(kv[0])' is not one of layers, ffn (each once)")
            }
        }
    }

    public var description: String {
        [layers.map { "layers=\($0)" }, ffn.map { "ffn=\($0)" }].compactMap { $0 }.joined(separator: ",")
    }

    /// The shape `config` becomes; refuses keeping more than there is.
    public func apply(to config: ModelConfig) throws(PruneError) -> ModelConfig {
        var c = config
        if let layers {
            guard layers <= config.layerCount else { throw .tooLarge(what: "layers", asked: layers, available: config.layerCount) }
            c.layerCount = layers
            c.slidingLayers = Array(config.slidingLayers.prefix(layers))
        }
        if let ffn {
            guard ffn <= config.feedForwardSize else { throw .tooLarge(what: "feed-forward channels", asked: ffn, available: config.feedForwardSize) }
            c.feedForwardSize = ffn
        }
        return c
    }
}

/// What a pruning kept, and the measurements it chose by (saved beside the pruned model).
public struct PrunePlan: Sendable, Equatable, Codable {
    public var spec: PruneSpec
    /// Source layer of each kept layer, in order.
    public var keptLayers: [Int]
    /// Per kept layer, its source feed-forward channels, ascending.
    public var keptChannels: [[Int]]
    /// The measurements over the source model's layers.
    public var layerDropKL: [Double]
    public var blockInfluence: [Double]
    public var calibrationTokens: Int

    enum CodingKeys: String, CodingKey {
        case spec, keptLayers = "kept_layers", keptChannels = "kept_channels", layerDropKL = "layer_drop_kl",
             blockInfluence = "block_influence", calibrationTokens = "calibration_tokens"
    }

    /// Keeps the layers whose removal moves the output most (KL), and in each kept layer the
    /// channels with the largest mean activation; ties go to the earlier index.
    public init(spec: PruneSpec, statistics s: CalibrationStatistics) {
        let L = s.layerDropKL.count
        let keep = spec.layers ?? L
        keptLayers = (0 ..< L).sorted { (s.layerDropKL[$0], -$0) > (s.layerDropKL[$1], -$1) }.prefix(keep).sorted()
        keptChannels = keptLayers.map { l in
            let m = s.channelMagnitude[l]
            return (0 ..< m.count).sorted { (m[$0], -$0) > (m[$1], -$1) }.prefix(spec.ffn ?? m.count).sorted()
        }
        self.spec = spec
        layerDropKL = s.layerDropKL
        blockInfluence = s.blockInfluence
        calibrationTokens = s.tokens
    }

    public init(spec: PruneSpec, keptLayers: [Int], keptChannels: [[Int]]) {
        self.spec = spec
        self.keptLayers = keptLayers
        self.keptChannels = keptChannels
        layerDropKL = []
        blockInfluence = []
        calibrationTokens = 0
    }
}

/// Cuts a model down to a plan: the kept layers in their order, and in each the kept rows of
/// `ffn_gate`/`ffn_up` and columns of `ffn_down`; the embedding, norms and attention are copied.
/// The result computes exactly what the source computes with the dropped layers skipped and the
/// dropped channels' activations zeroed.
public enum Pruner {
    public static func prune(_ source: PretrainedWeights, plan: PrunePlan) throws(PruneError) -> PretrainedWeights {
        let from = source.config
        var to = try plan.spec.apply(to: from)
        to.layerCount = plan.keptLayers.count
        to.slidingLayers = plan.keptLayers.map { from.slidingLayers[$0] }
        let F = plan.keptChannels.first?.count ?? from.feedForwardSize
        to.feedForwardSize = F
        guard plan.keptLayers.allSatisfy({ (0 ..< from.layerCount).contains($0) }), Set(plan.keptLayers).count == plan.keptLayers.count,
              plan.keptChannels.count == plan.keptLayers.count,
              plan.keptChannels.allSatisfy({ $0.count == F && $0.allSatisfy { (0 ..< from.feedForwardSize).contains($0) } }) else {
            throw .badPlan("kept layers or channels are out of range, repeated, or uneven across layers")
        }
        let src = ParameterLayout(from), dst = ParameterLayout(to)
        let srcTensors = Dictionary(uniqueKeysWithValues: src.tensors.map { ($0.name, $0) })
        var out = [Float](repeating: 0, count: dst.count)
        let p = source.parameters
        func copyWhole(_ name: String, from srcName: String, _ t: ParameterLayout.Tensor) {
            let s = srcTensors[srcName]!
            out.replaceSubrange(t.offset ..< t.offset + t.count, with: p[s.offset ..< s.offset + s.count])
        }
        for t in dst.tensors where !t.name.hasPrefix("blk.") { copyWhole(t.name, from: t.name, t) }
        for (i, l) in plan.keptLayers.enumerated() {
            let n = TensorNames.Block(i), o = TensorNames.Block(l), channels = plan.keptChannels[i]
            let dt = Dictionary(uniqueKeysWithValues: dst.tensors.filter { $0.name.hasPrefix("blk.\(i).") }.map { ($0.name, $0) })
            for (mine, theirs) in [(n.attentionNorm, o.attentionNorm), (n.query, o.query), (n.key, o.key), (n.value, o.value),
                                   (n.attentionOutput, o.attentionOutput), (n.feedForwardNorm, o.feedForwardNorm)] {
                copyWhole(mine, from: theirs, dt[mine]!)
            }
            for (mine, theirs) in [(n.gate, o.gate), (n.up, o.up)] {   // [F, D]: keep rows
                let t = dt[mine]!, s = srcTensors[theirs]!
                for (r, c) in channels.enumerated() {
                    let from = s.offset + c * s.cols
                    out.replaceSubrange(t.offset + r * t.cols ..< t.offset + (r + 1) * t.cols, with: p[from ..< from + s.cols])
                }
            }
            let t = dt[n.down]!, s = srcTensors[o.down]!   // [D, F]: keep columns
            for r in 0 ..< t.rows {
                for (j, c) in channels.enumerated() { out[t.offset + r * t.cols + j] = p[s.offset + r * s.cols + c] }
            }
        }
        return PretrainedWeights(config: to, parameters: out, tokenizerMetadata: source.tokenizerMetadata, name: source.name)
    }
}

/// A pruning that cannot be done as asked.
public enum PruneError: Error, LocalizedError, Sendable, Equatable {
    case badSpec(String, reason: String)
    case tooLarge(what: String, asked: Int, available: Int)
    case badPlan(String)
    case noCalibrationText(String)

    public var errorDescription: String? {
        switch self {
        case let .badSpec(text, reason):
            return "cannot read the pruning '\(text)': \(reason). Hint: write it as layers=N,ffn=M (either may be left out)."
        case let .tooLarge(what, asked, available):
            return "cannot keep \(asked) \(what): the model has \(available). Hint: ask for at most \(available)."
        case let .badPlan(why):
            return "the pruning plan is inconsistent: \(why)."
        case let .noCalibrationText(why):
            return "no calibration text to measure importance on: \(why). Hint: give text that tokenizes to at least one full window."
        }
    }
}
