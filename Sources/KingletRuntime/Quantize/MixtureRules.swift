import KingletGGUF

/// The per-tensor rules of llama.cpp's `llama_tensor_get_type_impl` for the file types
/// `QuantizeFileType` offers (no IQ types, no experts, no importance matrix). Stateful as
/// llama.cpp's `quantize_state_impl`: the attn_v and ffn_down rules depend on how many such
/// tensors came before, so `type(for:default:)` must be called in llama-quantize's tensor order.
struct MixtureRules {
    /// llama.cpp's `tensor_category`, from the name alone.
    enum Category {
        case tokenEmbedding, output, attentionQ, attentionK, attentionV, attentionQKV, attentionKVB
        case attentionOutput, ffnUp, ffnGate, ffnDown, other

        init(name: String) {
            if name == "output.weight" { self = .output; return }
            if name == "token_embd.weight" || name == "per_layer_token_embd.weight" { self = .tokenEmbedding; return }
            let ordered: [(String, Category)] = [
                ("attn_qkv.weight", .attentionQKV), ("attn_kv_b.weight", .attentionKVB), ("attn_v.weight", .attentionV),
                ("attn_k.weight", .attentionK), ("attn_q.weight", .attentionQ), ("attn_output.weight", .attentionOutput),
                ("ffn_up", .ffnUp), ("ffn_gate", .ffnGate), ("ffn_down", .ffnDown),
            ]
            self = ordered.first { name.contains($0.0) }?.1 ?? .other
        }

        /// attn_v-like tensors, the most sensitive to quantization.
        var isAttentionV: Bool { self == .attentionV || self == .attentionQKV || self == .attentionKVB }
    }

    let model: TensorTypePlan.Model
    let fileType: QuantizeFileType
    /// Whether token_embd doubles as the output head (no output.weight in the file).
    let tiedEmbeddings: Bool
    /// attn_v-like tensors in the model, and ffn_down tensors (= layers).
    let attentionVCount: Int, ffnDownCount: Int
    private var attentionVSeen = 0, ffnDownSeen = 0

    init(model: TensorTypePlan.Model, fileType: QuantizeFileType, tensorNames: [String]) {
        self.model = model
        self.fileType = fileType
        tiedEmbeddings = !tensorNames.contains("output.weight")
        attentionVCount = tensorNames.filter { Category(name: $0).isAttentionV }.count
        ffnDownCount = model.layers
    }

    /// llama.cpp's `use_more_bits`: the first and last eighth of the layers and every third between.
    static func useMoreBits(_ layer: Int, _ layers: Int) -> Bool {
        layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2
    }

    /// The type for `tensor` (a quantizable one) when the file's default is `type`, before the
    /// row-length fallback.
    mutating func type(for tensor: GGUFTensorInfo, default type: GGMLType) -> GGMLType {
        let category = Category(name: tensor.name)
        let ft = fileType
        var t = type
        if category == .output || (tiedEmbeddings && category == .tokenEmbedding) {
            let rowLength = tensor.dims.first ?? 0
            if model.isFalcon || rowLength % t.blockSize != 0 { t = .q8_0 } else if t != .q8_0 { t = .q6_K }
        } else if category == .tokenEmbedding {
            // untied token embeddings keep the default (only the IQ and ternary types move them)
        } else if category.isAttentionV {
            switch ft {
            case .q2_K: t = model.gqa >= 4 ? .q4_K : .q3_K
            case .q3_K_M: t = attentionVSeen < 2 ? .q5_K : .q4_K
            case .q3_K_L: t = .q5_K
            case .q4_K_M, .q5_K_M: if Self.useMoreBits(attentionVSeen, attentionVCount) { t = .q6_K }
            case .q4_K_S: if attentionVSeen < 4 { t = .q5_K }
            default: break
            }
            attentionVSeen += 1
        } else if category == .ffnDown {
            let (layer, layers) = (ffnDownSeen, ffnDownCount)
            switch ft {
            case .q2_K: t = .q3_K
            case .q3_K_M:
                t = layer < layers / 16 ? .q5_K : !model.isFalcon || Self.useMoreBits(layer, layers) ? .q4_K : .q3_K
            case .q3_K_L: t = model.isFalcon ? .q4_K : .q5_K
            case .q4_K_M:
                if model.isFalcon {
                    t = layer < layers / 16 ? .q6_K : Self.useMoreBits(layer, layers) ? .q5_K : .q4_K
                } else if Self.useMoreBits(layer, layers) {
                    t = .q6_K
                }
            case .q5_K_M: if Self.useMoreBits(layer, layers) { t = .q6_K }
            case .q4_K_S: if !model.isFalcon && layer < layers / 8 { t = .q5_K }
            default: break
            }
            ffnDownSeen += 1
        } else if category == .attentionOutput {
            if model.isFalcon {
                if ft == .q3_K_L { t = .q4_K }
            } else {
                switch ft {
                case .q2_K: t = .q3_K
                case .q3_K_M: t = .q4_K
                case .q3_K_L: t = .q5_K
                default: break
                }
            }
        }
        return t
    }
}
