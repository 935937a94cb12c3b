import KingletGGUF

/// The element type of the exported 2-D weight matrices (1-D norms always stay F32).
public enum ExportType: String, CaseIterable, Sendable {
    case f32, f16, q8_0, q4_0

    /// The ggml tensor type of the matrices.
    public var tensorType: GGMLType {
        switch self {
        case .f32: return .f32
        case .f16: return .f16
        case .q8_0: return .q8_0
        case .q4_0: return .q4_0
        }
    }

    /// `general.file_type`: llama.cpp's `LLAMA_FTYPE` (ALL_F32 0, MOSTLY_F16 1, MOSTLY_Q4_0 2,
    /// MOSTLY_Q8_0 7).
    public var fileType: UInt32 {
        switch self {
        case .f32: return 0
        case .f16: return 1
        case .q4_0: return 2
        case .q8_0: return 7
        }
    }

    /// Whether the matrices are block-quantized (and so need rows of whole 32-element blocks).
    public var isQuantized: Bool { self == .q8_0 || self == .q4_0 }
}
