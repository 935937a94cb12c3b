import Foundation
import KingletArchitectures
import KingletGGUF
import KingletKernels

/// A llama model's weights read from a GGUF file (any weight type Kinglet runs, quantized or not)
/// into trainable F32 values in `ParameterLayout` order: the start of `kinglet train --init`,
/// `distill train --init` and pruning. Quantized weights are dequantized exactly as inference
/// dequantizes them, so the trainable model computes what the file computes, up to the
/// activations' rounding (inference multiplies quantized weights by 8-bit activations).
public struct PretrainedWeights: Sendable {
    /// The hyper-parameters read from the file (its context length kept).
    public var config: ModelConfig
    /// [P] in `ParameterLayout(config)` order.
    public var parameters: [Float]
    /// The file's `tokenizer.*` keys, copied verbatim into checkpoints and exports.
    public var tokenizerMetadata: [(key: String, value: GGUFValue)]
    /// `general.name`, when the file has one.
    public var name: String?

    public init(config: ModelConfig, parameters: [Float], tokenizerMetadata: [(key: String, value: GGUFValue)], name: String? = nil) {
        precondition(parameters.count == ParameterLayout(config).count, "parameters do not fit the configuration")
        self.config = config
        self.parameters = parameters
        self.tokenizerMetadata = tokenizerMetadata
        self.name = name
    }

    /// The training shape of these weights (for `TrainSettings.shape`).
    public var shape: ModelShape { ModelShape(config) }

    /// Reads `url` (a model, or a training checkpoint: its optimizer state is left aside).
    /// Refuses what the trainer cannot represent: another architecture, an untied
    /// output head, biases or other extra tensors, RoPE scaling, partial RoPE or a head size
    /// other than D/H, and weights that are not finite.
    public static func load(_ url: URL) throws(PretrainedWeightsError) -> PretrainedWeights {
        let path = url.path
        let file: GGUFFile
        do { file = try GGUFFile(path: path) } catch { throw .unreadable(path: path, reason: error.localizedDescription) }
        let arch = file.architecture ?? "(none)"
        guard arch == "llama" else {
            throw .unsupported(path: path, what: "architecture '\(arch)'", hint: "training starts only from llama-architecture models (SmolLM2, Llama 3.2 without RoPE scaling, TinyLlama)")
        }
        let config: ModelConfig
        do { config = try ModelConfig(gguf: file, architecture: arch) } catch { throw .unreadable(path: path, reason: error.localizedDescription) }
        let scaling = config.ropeScaling
        let plain = scaling.kind == .none || (scaling.kind == .linear && (scaling.factor ?? 1) == 1)
        guard plain, file.tensorIfPresent(TensorNames.ropeFrequencies) == nil else {
            throw .unsupported(path: path, what: "RoPE scaling", hint: "the trainer applies plain RoPE; this model's positions would change meaning")
        }
        guard config.headSize * config.headCount == config.embeddingSize, config.ropeDimensionCount == config.headSize else {
            throw .unsupported(path: path, what: "head size \(config.headSize) with \(config.ropeDimensionCount) rotated dimensions",
                               hint: "the trainer needs head size = embedding / heads and RoPE over the whole head")
        }
        let layout = ParameterLayout(config)
        let wanted = Set(layout.tensors.map(\.name))
        if let extra = file.tensorInfos.first(where: { !wanted.contains($0.name) && !$0.name.hasPrefix(TensorNames.trainingStatePrefix) }) {
            let hint = extra.name == TensorNames.output
                ? "the trainer ties the output head to the embedding; this model has its own"
                : "the trainer has no place for it (a bias or an extra norm changes what the model computes)"
            throw .unsupported(path: path, what: "tensor '\(extra.name)'", hint: hint)
        }
        var parameters = [Float](repeating: 0, count: layout.count)
        try parameters.withUnsafeMutableBufferPointer { (out) throws(PretrainedWeightsError) in
            for t in layout.tensors {
                try read(t, from: file, into: out.baseAddress! + t.offset, path: path)
            }
        }
        let tokenizer = file.metadataKeys.filter { $0.hasPrefix("tokenizer.") }.compactMap { k in file.metadata[k].map { (key: k, value: $0) } }
        return PretrainedWeights(config: config, parameters: parameters, tokenizerMetadata: tokenizer,
                                 name: file.metadata["general.name"]?.stringValue)
    }

    private static func read(_ t: ParameterLayout.Tensor, from file: GGUFFile, into out: UnsafeMutablePointer<Float>,
                             path: String) throws(PretrainedWeightsError) {
        guard let tensor = file.tensorIfPresent(t.name) else { throw .tensor(path: path, name: t.name, problem: "is missing") }
        guard tensor.dims == t.ggufDims else {
            throw .tensor(path: path, name: t.name, problem: "has dims \(tensor.dims), the configuration needs \(t.ggufDims)")
        }
        guard let type = QuantType(rawValue: tensor.type.rawValue), type.isWeightType || type == .f32 else {
            throw .tensor(path: path, name: t.name, problem: "has type \(tensor.type), which Kinglet cannot read as weights")
        }
        guard t.cols % type.blockSize == 0, tensor.data.count >= t.rows * type.rowBytes(cols: t.cols) else {
            throw .tensor(path: path, name: t.name, problem: "holds fewer bytes than \(t.rows) rows of \(t.cols) \(type) values")
        }
        let rowBytes = type.rowBytes(cols: t.cols), base = tensor.data.baseAddress!
        for r in 0 ..< t.rows {
            ReferenceKernels.dequantizeRow(type, base + r * rowBytes, into: out + r * t.cols, count: t.cols)
        }
        if let bad = (0 ..< t.count).first(where: { !out[$0].isFinite }) {
            throw .tensor(path: path, name: t.name, problem: "value \(bad) is \(out[bad]), not a finite number")
        }
    }
}

/// A model file that cannot start a training run.
public enum PretrainedWeightsError: Error, LocalizedError, Sendable, Equatable {
    case unreadable(path: String, reason: String)
    case unsupported(path: String, what: String, hint: String)
    case tensor(path: String, name: String, problem: String)

    public var errorDescription: String? {
        switch self {
        case let .unreadable(path, reason):
            return "cannot read \(path) as a model: \(reason). Hint: pass a .gguf model file."
        case let .unsupported(path, what, hint):
            return "\(path): the trainer cannot start from a model with \(what). Hint: \(hint)."
        case let .tensor(path, name, problem):
            return "\(path): tensor '\(name)' \(problem). Hint: the file is damaged or not a llama model; re-download or re-export it."
        }
    }
}

extension PretrainedWeights {
    /// Writes the weights as an F32 llama GGUF (atomically) with the tokenizer's keys: a model
    /// Kinglet and llama.cpp run as it is, that `kinglet export` quantizes, and that `--init` reads
    /// back without loss.
    public func write(to url: URL, name: String) throws {
        var w = GGUFWriter()
        config.write(into: &w)
        w.set("general.name", name)
        w.set("general.file_type", .uint32(0))
        for (k, v) in tokenizerMetadata { w.set(k, v) }
        ParameterLayout(config).addTensors(parameters, to: &w)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try w.write(to: url.path)
    }
}
