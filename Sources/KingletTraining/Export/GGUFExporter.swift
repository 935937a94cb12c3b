import Foundation
import KingletArchitectures
import KingletGGUF
import KingletKernels

/// What `GGUFExporter.export` wrote.
public struct ExportResult: Sendable, Equatable {
    /// The written file.
    public var path: String
    /// The requested matrix type.
    public var type: ExportType
    /// Size of the written file.
    public var fileBytes: Int
    /// Tensors written, per ggml type.
    public var tensorTypes: [GGMLType: Int]
    /// Matrices written as F16 instead of the requested Q8_0/Q4_0 because their rows are not
    /// whole 32-element blocks.
    public var fallbackTensors: [String]
    /// `optimizer.*` (and `kinglet.train.*`) tensors left out.
    public var droppedTensors: [String]
    /// `kinglet.train.*` metadata left out.
    public var droppedKeys: [String]
    /// Weights in the exported model.
    public var parameterCount: Int
}

/// Turns a training checkpoint (a GGUF with F32 llama weights, the tokenizer's metadata,
/// `kinglet.train.*` keys and `optimizer.*` tensors) into a GGUF that llama.cpp and Kinglet run.
public enum GGUFExporter {
    /// Metadata keys (and tensors) with this prefix belong to training and are dropped.
    public static let trainingKeyPrefix = "kinglet.train."
    /// Tensors with this prefix hold optimizer state and are dropped.
    public static let optimizerTensorPrefix = "optimizer."

    /// Writes `output` (atomically) from `checkpoint`: every metadata key except `kinglet.train.*`,
    /// `general.file_type` (and `general.quantization_version` = 2 when quantized), `general.name`
    /// when `name` is given; 1-D tensors as F32, matrices as `type` (F16 where a quantized type
    /// does not fit the row length). `threads`: default physical cores.
    @discardableResult
    public static func export(checkpoint: URL, to output: URL, type: ExportType, name: String? = nil,
                              threads: Int? = nil) throws(ExportError) -> ExportResult {
        let path = checkpoint.path
        let file: GGUFFile
        do { file = try GGUFFile(path: path) } catch { throw .cannotRead(path: path, reason: error.localizedDescription) }
        guard file.architecture == "llama" else { throw .unsupportedArchitecture(path: path, architecture: file.architecture) }
        try checkRunnable(file, path: path)

        var writer = GGUFWriter()
        var result = ExportResult(path: output.path, type: type, fileBytes: 0, tensorTypes: [:], fallbackTensors: [],
                                  droppedTensors: [], droppedKeys: [], parameterCount: 0)
        for key in file.metadataKeys {
            guard let value = file.metadata[key] else { continue }
            if key.hasPrefix(trainingKeyPrefix) { result.droppedKeys.append(key); continue }
            if key == "general.quantization_version" { continue }
            writer.set(key, value)
        }
        if let name { writer.set("general.name", name) }
        writer.set("general.file_type", .uint32(type.fileType))
        if type.isQuantized { writer.set("general.quantization_version", .uint32(2)) }

        let pool: ThreadPool
        do { pool = try ThreadPool.sized(threads) } catch { throw .threads(error) }
        for info in file.tensorInfos {
            if info.name.hasPrefix(optimizerTensorPrefix) || info.name.hasPrefix(trainingKeyPrefix) {
                result.droppedTensors.append(info.name)
                continue
            }
            let tensor: GGUFTensor
            do { tensor = try file.tensor(info.name) } catch { throw .cannotRead(path: path, reason: error.localizedDescription) }
            guard info.type == .f32 else {
                throw .badCheckpoint(path: path, what: "tensor '\(info.name)' is \(info.type); checkpoints hold F32 weights")
            }
            var target = info.dims.count == 1 ? GGMLType.f32 : type.tensorType
            if type.isQuantized, target != .f32, info.dims[0] % 32 != 0 {
                target = .f16
                result.fallbackTensors.append(info.name)
            }
            let bytes = try convert(tensor, to: target, pool: pool, path: path)
            writer.addTensor(info.name, dims: info.dims, type: target, bytes: bytes)
            result.tensorTypes[target, default: 0] += 1
            result.parameterCount += info.elementCount
        }

        do { try writer.write(to: output.path) } catch {
            guard case .cannotWrite(_, let reason) = error else { throw .cannotWrite(path: output.path, reason: error.localizedDescription) }
            throw .cannotWrite(path: output.path, reason: reason)
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: output.path)[.size] as? NSNumber)?.intValue
        result.fileBytes = size ?? 0
        return result
    }

    /// What llama.cpp needs beyond the weights: a tokenizer whose vocabulary matches the
    /// embedding, and the hyper-parameters.
    static func checkRunnable(_ file: GGUFFile, path: String) throws(ExportError) {
        for key in ConfigKey.required.map({ $0.key(file.architecture ?? "llama") }) {
            guard file.metadata[key]?.intValue != nil else { throw .badCheckpoint(path: path, what: "metadata '\(key)' is missing") }
        }
        guard file.metadata["tokenizer.ggml.model"]?.stringValue != nil,
              let vocabulary = file.metadata["tokenizer.ggml.tokens"]?.arrayCount else {
            throw .badCheckpoint(path: path, what: "it has no tokenizer (tokenizer.ggml.model / tokenizer.ggml.tokens)")
        }
        guard let embedding = file.tensorInfos.first(where: { $0.name == TensorNames.tokenEmbedding }) else {
            throw .badCheckpoint(path: path, what: "tensor '\(TensorNames.tokenEmbedding)' is missing")
        }
        guard embedding.dims.count == 2, embedding.dims[1] == vocabulary else {
            throw .badCheckpoint(path: path, what: "\(TensorNames.tokenEmbedding) is \(embedding.dims) but the tokenizer has \(vocabulary) tokens")
        }
    }

    /// One F32 tensor in `type`, rows converted in parallel; refuses NaN and infinity.
    static func convert(_ tensor: GGUFTensor, to type: GGMLType, pool: ThreadPool, path: String) throws(ExportError) -> [UInt8] {
        guard tensor.info.elementCount > 0 else { return [] }
        let cols = tensor.dims[0]
        let rows = tensor.info.elementCount / max(cols, 1)
        let src = tensor.data.baseAddress!.assumingMemoryBound(to: Float.self)  // [rows, cols]; mapped, 32-byte aligned
        if let bad = (0 ..< tensor.info.elementCount).first(where: { !src[$0].isFinite }) {
            throw .nonFiniteWeight(path: path, tensor: tensor.name, index: bad)
        }
        guard let byteCount = type.byteCount(elements: tensor.info.elementCount) else {
            preconditionFailure("\(tensor.name): rows of \(cols) do not fit \(type)")  // checked by the caller
        }
        let rowBytes = byteCount / max(rows, 1)
        var out = [UInt8](repeating: 0, count: byteCount)  // [rows, rowBytes]
        out.withUnsafeMutableBytes { o in
            guard let dst = o.baseAddress else { return }
            pool.parallelFor(rows) { range in
                for r in range {
                    WeightQuantizer.convert(src + r * cols, count: cols, to: type, into: dst + r * rowBytes)
                }
            }
        }
        return out
    }
}
