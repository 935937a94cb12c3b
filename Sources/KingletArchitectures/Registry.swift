import KingletGGUF
import KingletKernels

/// Architectures Kinglet can run, keyed by GGUF `general.architecture`.
public enum ArchitectureRegistry {
    typealias Loader = @Sendable (GGUFFile, ModelLoadOptions) throws(ModelError) -> any LanguageModel

    static let loaders: [String: Loader] = [
        "llama": { (f, o) throws(ModelError) in try LlamaModel(gguf: f, options: o) },
        "qwen2": { (f, o) throws(ModelError) in try LlamaModel(gguf: f, options: o, family: .qwen2) },
        "qwen3": { (f, o) throws(ModelError) in try LlamaModel(gguf: f, options: o, family: .qwen3) },
        "phi3": { (f, o) throws(ModelError) in try LlamaModel(gguf: f, options: o, family: .phi3) },
        "gemma3": { (f, o) throws(ModelError) in try Gemma3Model(gguf: f, options: o) },
    ]

    public static var supported: [String] { loaders.keys.sorted() }

    /// Loads the model in `gguf` with the architecture its metadata names.
    public static func load(_ gguf: GGUFFile, options: ModelLoadOptions) throws(ModelError) -> any LanguageModel {
        guard let arch = gguf.architecture else { throw .missingMetadata(key: "general.architecture") }
        guard let loader = loaders[arch] else { throw .unsupportedArchitecture(arch, supported: supported) }
        return try loader(gguf, options)
    }
}

/// Options that apply while loading weights.
public struct ModelLoadOptions: Sendable {
    /// Overrides the file's context length.
    public var contextLength: Int?
    /// Worker threads for matrix products and attention.
    public var pool: ThreadPool

    public init(contextLength: Int? = nil, pool: ThreadPool) {
        self.contextLength = contextLength
        self.pool = pool
    }

    /// Applies the options that change a configuration (the context length) and validates it.
    func apply(to config: inout ModelConfig) throws(ModelError) {
        if let c = contextLength {
            guard c > 0 else { throw .badConfig("context length must be positive") }
            config.contextLength = c
        }
        try config.validate()
    }
}
