/// The element types Kinglet's kernels compute with, numbered as ggml numbers them (the raw value
/// is the ggml type id stored in GGUF tensor infos), so the architecture layer can pass a GGUF
/// tensor's type straight through. Everything else about a type (block shape, reference kernels,
/// activation partner) lives once in its description under Types/ (see `traits`).
public enum QuantType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case f32 = 0
    case f16 = 1
    case q4_0 = 2
    case q4_1 = 3
    case q5_0 = 6
    case q5_1 = 7
    case q8_0 = 8
    /// Only ever an activation type (the partner of Q4_1 and Q5_1 weights); not accepted as a weight.
    case q8_1 = 9
    case q2_K = 10
    case q3_K = 11
    case q4_K = 12
    case q5_K = 13
    case q6_K = 14
    /// Only ever an activation type (the partner of the K-quants); not accepted as a weight.
    case q8_K = 15
    case bf16 = 30

    /// This type's description: the one place its layout and reference kernels are written.
    public var traits: QuantTypeTraits {
        switch self {
        case .f32: F32.traits
        case .f16: F16.traits
        case .q4_0: Q4_0.traits
        case .q4_1: Q4_1.traits
        case .q5_0: Q5_0.traits
        case .q5_1: Q5_1.traits
        case .q8_0: Q8_0.traits
        case .q8_1: Q8_1.traits
        case .q2_K: Q2_K.traits
        case .q3_K: Q3_K.traits
        case .q4_K: Q4_K.traits
        case .q5_K: Q5_K.traits
        case .q6_K: Q6_K.traits
        case .q8_K: Q8_K.traits
        case .bf16: BF16.traits
        }
    }

    /// Elements per block (1 for the plain float types).
    public var blockSize: Int { traits.blockSize }

    /// Bytes per block.
    public var blockBytes: Int { traits.blockBytes }

    /// Bytes in one row of `cols` elements (`cols` must be a multiple of `blockSize`).
    public func rowBytes(cols: Int) -> Int { cols / blockSize * blockBytes }

    /// Whether Kinglet can write weights of this type (`ReferenceKernels.quantizeWeightRow`).
    public var canQuantizeWeights: Bool { traits.quantizeWeights != nil }

    /// Whether a weight matrix may have this type (activation-only types have no partner).
    public var isWeightType: Bool { traits.partner != nil }

    public var description: String { traits.name }
}
