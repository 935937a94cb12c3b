import KingletGGUF

/// What `kinglet quantize` can make: llama.cpp's file types (`llama_ftype`) that need no
/// importance matrix. A single-type name (Q8_0, Q4_0, Q6_K, F16 …) puts every quantizable
/// tensor in that type, except where llama.cpp's rules move the output head, token embeddings,
/// attn_v or ffn_down (`TensorTypePlan`); a mixture (Q4_K_M, Q3_K_S …) is a default type plus
/// those rules.
public enum QuantizeFileType: String, Sendable, CaseIterable, CustomStringConvertible {
    case f32 = "F32", f16 = "F16", bf16 = "BF16"
    case q4_0 = "Q4_0", q4_1 = "Q4_1", q5_0 = "Q5_0", q5_1 = "Q5_1", q8_0 = "Q8_0"
    case q2_K = "Q2_K"
    case q3_K_S = "Q3_K_S", q3_K_M = "Q3_K_M", q3_K_L = "Q3_K_L"
    case q4_K_S = "Q4_K_S", q4_K_M = "Q4_K_M"
    case q5_K_S = "Q5_K_S", q5_K_M = "Q5_K_M"
    case q6_K = "Q6_K"

    /// Parses a name as llama-quantize does, case-insensitively, with its aliases
    /// (Q3_K = Q3_K_M, Q4_K = Q4_K_M, Q5_K = Q5_K_M).
    public init?(name: String) {
        let upper = name.uppercased()
        let aliases = ["Q3_K": "Q3_K_M", "Q4_K": "Q4_K_M", "Q5_K": "Q5_K_M"]
        guard let t = QuantizeFileType(rawValue: aliases[upper] ?? upper) else { return nil }
        self = t
    }

    /// The value llama.cpp stores in `general.file_type` (`llama_ftype`).
    public var llamaFileType: UInt32 {
        switch self {
        case .f32: 0
        case .f16: 1
        case .q4_0: 2
        case .q4_1: 3
        case .q8_0: 7
        case .q5_0: 8
        case .q5_1: 9
        case .q2_K: 10
        case .q3_K_S: 11
        case .q3_K_M: 12
        case .q3_K_L: 13
        case .q4_K_S: 14
        case .q4_K_M: 15
        case .q5_K_S: 16
        case .q5_K_M: 17
        case .q6_K: 18
        case .bf16: 32
        }
    }

    /// The type every quantizable tensor gets unless a rule says otherwise
    /// (`llama_ftype_get_default_type`).
    public var defaultType: GGMLType {
        switch self {
        case .f32: .f32
        case .f16: .f16
        case .bf16: .bf16
        case .q4_0: .q4_0
        case .q4_1: .q4_1
        case .q5_0: .q5_0
        case .q5_1: .q5_1
        case .q8_0: .q8_0
        case .q2_K: .q2_K
        case .q3_K_S, .q3_K_M, .q3_K_L: .q3_K
        case .q4_K_S, .q4_K_M: .q4_K
        case .q5_K_S, .q5_K_M: .q5_K
        case .q6_K: .q6_K
        }
    }

    /// Whether the default type is a block-quantized one (only then do llama.cpp's per-tensor
    /// rules and shape fallbacks apply).
    var isQuantized: Bool { ![.f32, .f16, .bf16].contains(defaultType) }

    public var description: String { rawValue }
}
