import Foundation
import KingletArchitectures
import KingletGGUF

/// A training checkpoint is one GGUF file: the llama hyper-parameters and the tokenizer's metadata
/// (so the file is self-describing and `kinglet export` needs nothing else), the weights as F32
/// tensors under their llama names, the AdamW moments as `optimizer.m` / `optimizer.v`, and the
/// loop's position under `kinglet.train.*`. Written to a temporary file and renamed, so a
/// `kill -9` at any moment leaves the previous checkpoint intact.
public struct TrainingCheckpoint {
    public static let fileName = "checkpoint.gguf"

    public var config: ModelConfig
    /// Optimizer steps completed.
    public var step: Int
    /// Training tokens consumed so far.
    public var tokens: Int
    /// AdamW updates applied (its bias-correction t).
    public var adamUpdates: Int
    /// The batch sampler's RNG state.
    public var samplerState: [UInt64]
    /// The run's settings as JSON (compared on resume).
    public var settingsJSON: String
    public var parameters: [Float]   // [P] in ParameterLayout order
    public var adamM: [Float]        // [P]
    public var adamV: [Float]        // [P]

    public init(config: ModelConfig, step: Int, tokens: Int, adamUpdates: Int, samplerState: [UInt64], settingsJSON: String,
                parameters: [Float], adamM: [Float], adamV: [Float]) {
        self.config = config
        self.step = step
        self.tokens = tokens
        self.adamUpdates = adamUpdates
        self.samplerState = samplerState
        self.settingsJSON = settingsJSON
        self.parameters = parameters
        self.adamM = adamM
        self.adamV = adamV
    }
}

/// Failure reading a checkpoint.
public enum CheckpointError: Error, LocalizedError {
    case unreadable(path: String, reason: String)
    case missing(path: String, what: String)
    case shapeMismatch(path: String, tensor: String, expected: Int, found: Int)

    public var errorDescription: String? {
        switch self {
        case let .unreadable(path, reason):
            return "cannot read checkpoint \(path): \(reason). Hint: pass the checkpoint.gguf a `kinglet train` run wrote."
        case let .missing(path, what):
            return "checkpoint \(path) has no \(what). Hint: it was not written by `kinglet train`, or is from another version."
        case let .shapeMismatch(path, tensor, expected, found):
            return "checkpoint \(path): tensor \(tensor) has \(found) values, the model needs \(expected)."
        }
    }
}

extension TrainingCheckpoint {
    /// Writes `directory/checkpoint.gguf` atomically (a temporary file, flushed, then renamed).
    /// `tokenizerMetadata` are the `tokenizer.*` keys of the tokenizer's source model (copied
    /// verbatim). The tensors stream from the arrays to the file (`GGUFStreamWriter`): a
    /// checkpoint of an 85M-parameter student is 1 GB with its moments, and building it in memory
    /// first (several whole copies) took 20 s of a 5-minute run, every quarter of it.
    public func write(to directory: URL, tokenizerMetadata: [(key: String, value: GGUFValue)], name: String) throws {
        var w = GGUFWriter()
        let c = config
        w.set("general.architecture", c.architecture)
        w.set("general.name", name)
        c.write(into: &w)
        for (k, v) in tokenizerMetadata { w.set(k, v) }
        w.set("kinglet.train.step", .uint64(UInt64(step)))
        w.set("kinglet.train.tokens", .uint64(UInt64(tokens)))
        w.set("kinglet.train.adam_updates", .uint64(UInt64(adamUpdates)))
        w.set("kinglet.train.sampler_state", .array(.uint64, samplerState.map { .uint64($0) }))
        w.set("kinglet.train.settings", settingsJSON)
        let layout = ParameterLayout(c)
        precondition(parameters.count == layout.count, "parameters do not fit the layout")
        // Each tensor: its name, dims and where its floats lie in `parameters`, or in a moment array.
        var pieces: [(name: String, dims: [Int], source: Int, offset: Int, count: Int)] =
            layout.tensors.map { ($0.name, $0.ggufDims, 0, $0.offset, $0.count) }
        // Empty moments: weights only (an export source, which `read` refuses to resume from).
        if !adamM.isEmpty || !adamV.isEmpty {
            pieces.append((TensorNames.trainingStatePrefix + "m", [adamM.count], 1, 0, adamM.count))
            pieces.append((TensorNames.trainingStatePrefix + "v", [adamV.count], 2, 0, adamV.count))
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let out = try GGUFStreamWriter(path: directory.appendingPathComponent(Self.fileName).path, metadata: w.metadata,
                                       tensors: pieces.map { ($0.name, $0.dims, .f32, $0.count * 4) }, alignment: w.alignment)
        for piece in pieces {
            let array = [parameters, adamM, adamV][piece.source]
            try array.withUnsafeBytes { try out.append(UnsafeRawBufferPointer(rebasing: $0[piece.offset * 4 ..< (piece.offset + piece.count) * 4])) }
        }
        try out.finish()
    }

    /// Reads a checkpoint file.
    public static func read(_ url: URL) throws -> TrainingCheckpoint {
        let path = url.path
        let f: GGUFFile
        do { f = try GGUFFile(path: path) } catch { throw CheckpointError.unreadable(path: path, reason: error.localizedDescription) }
        let config: ModelConfig
        do { config = try ModelConfig(gguf: f, architecture: "llama") } catch {
            throw CheckpointError.unreadable(path: path, reason: error.localizedDescription)
        }
        func u64(_ key: String) throws -> Int {
            guard let v = f.metadata[key]?.intValue else { throw CheckpointError.missing(path: path, what: key) }
            return v
        }
        guard let settings = f.metadata["kinglet.train.settings"]?.stringValue else {
            throw CheckpointError.missing(path: path, what: "kinglet.train.settings")
        }
        guard let stateValues = f.metadata["kinglet.train.sampler_state"]?.arrayValue else {
            throw CheckpointError.missing(path: path, what: "kinglet.train.sampler_state")
        }
        let samplerState = stateValues.compactMap { v -> UInt64? in if case let .uint64(x) = v { return x } else { return nil } }
        guard samplerState.count == stateValues.count else {
            throw CheckpointError.missing(path: path, what: "kinglet.train.sampler_state as unsigned 64-bit words")
        }
        let layout = ParameterLayout(config)
        var params = [Float](repeating: 0, count: layout.count)
        func floats(_ name: String, _ count: Int) throws -> [Float] {
            guard let t = f.tensorIfPresent(name), t.type == .f32 else { throw CheckpointError.missing(path: path, what: "F32 tensor \(name)") }
            guard t.info.elementCount == count else {
                throw CheckpointError.shapeMismatch(path: path, tensor: name, expected: count, found: t.info.elementCount)
            }
            return Array(t.data.bindMemory(to: Float.self))
        }
        for t in layout.tensors {
            let v = try floats(t.name, t.count)
            params.replaceSubrange(t.offset ..< t.offset + t.count, with: v)
        }
        return TrainingCheckpoint(
            config: config, step: try u64("kinglet.train.step"), tokens: try u64("kinglet.train.tokens"),
            adamUpdates: try u64("kinglet.train.adam_updates"),
            samplerState: samplerState,
            settingsJSON: settings, parameters: params,
            adamM: try floats(TensorNames.trainingStatePrefix + "m", layout.count), adamV: try floats(TensorNames.trainingStatePrefix + "v", layout.count))
    }
}
