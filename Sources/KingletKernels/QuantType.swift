/// The element types Kinglet's kernels compute with, numbered as ggml numbers them (the raw value
/// is the ggml type id stored in GGUF tensor infos), so the architecture layer can pass a GGUF
/// tensor's type straight through.
public enum QuantType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case f32 = 0
    case f16 = 1
    case q4_0 = 2
    case q4_1 = 3
    case q8_0 = 8
    /// Only ever an activation type (the partner of Q4_1 weights); not accepted as a weight.
    case q8_1 = 9
    case bf16 = 30

    /// Elements per block (1 for the plain float types).
    public var blockSize: Int {
        switch self {
        case .f32, .f16, .bf16: return 1
        case .q4_0, .q4_1, .q8_0, .q8_1: return 32
        }
    }

    /// Bytes per block.
    public var blockBytes: Int {
        switch self {
        case .f32: return 4
        case .f16, .bf16: return 2
        case .q4_0: return 18
        case .q4_1: return 20
        case .q8_0: return 34
        case .q8_1: return 36
        }
    }

    /// Bytes in one row of `cols` elements (`cols` must be a multiple of `blockSize`).
    public func rowBytes(cols: Int) -> Int { cols / blockSize * blockBytes }

    /// Whether a weight matrix may have this type.
    public var isWeightType: Bool { self != .q8_1 }

    public var description: String {
        switch self {
        case .f32: return "F32"
        case .f16: return "F16"
        case .q4_0: return "Q4_0"
        case .q4_1: return "Q4_1"
        case .q8_0: return "Q8_0"
        case .q8_1: return "Q8_1"
        case .bf16: return "BF16"
        }
    }
}
