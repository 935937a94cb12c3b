import KingletGGUF

/// Which type each tensor of a model gets for a file type: llama.cpp's `llama_tensor_get_type`
/// (src/llama-quant.cpp) for the dense architectures Kinglet runs, without an importance matrix
/// or per-tensor overrides. Decided once, over the tensors in the order llama-quantize visits
/// them (`llamaOrder`), because the attn_v and ffn_down rules count layers as they go.
///
/// The rules, for a quantized default type T:
/// - only 2-D (or higher) tensors whose names end in "weight" are quantized, never norms,
///   position or token-type embeddings, expert gates (`allowsQuantization`);
/// - output.weight (and token_embd.weight when there is no output.weight: tied embeddings) gets
///   Q6_K, or Q8_0 when its rows are not whole T blocks or T is Q8_0;
/// - attn_v / attn_qkv and ffn_down get more bits in some layers for the _M/_L/_S mixtures and
///   Q2_K; attn_output for Q2_K and Q3_K_M/L;
/// - a tensor whose row length is not a multiple of its type's block falls back (Q2_K/Q3_K →
///   Q4_0, Q4_K → Q5_0, Q5_K → Q5_1, Q6_K → Q8_0, and F16 when even that does not divide).
public struct TensorTypePlan: Sendable {
    /// A tensor and the type it gets.
    public struct Entry: Sendable, Equatable {
        public let name: String
        /// ggml dims, innermost (row length) first.
        public let dims: [Int]
        public let from: GGMLType
        public let to: GGMLType
        /// Set when the row length forced a fallback: the type the rules chose.
        public let fellBackFrom: GGMLType?
    }

    /// The tensors in the order they are written (llama-quantize's).
    public let entries: [Entry]

    /// The model facts the rules read.
    public struct Model: Sendable {
        public var architecture: String
        /// `{arch}.block_count`.
        public var layers: Int
        /// `{arch}.attention.head_count` and `head_count_kv` (of layer 0 when per layer).
        public var heads: Int, kvHeads: Int

        public init(architecture: String, layers: Int, heads: Int, kvHeads: Int) {
            self.architecture = architecture
            self.layers = layers
            self.heads = heads
            self.kvHeads = kvHeads
        }

        /// llama.cpp's `n_gqa()`: query heads per key/value head (0 when unknown).
        var gqa: Int { kvHeads == 0 ? 0 : heads / kvHeads }
        var isFalcon: Bool { architecture == "falcon" }
    }

    /// Plans `tensors` (in any order; they are put in llama-quantize's) for `fileType`.
    public init(tensors: [GGUFTensorInfo], model: Model, fileType: QuantizeFileType) {
        let ordered = TensorTypePlan.llamaOrder(tensors)
        var rules = MixtureRules(model: model, fileType: fileType, tensorNames: ordered.map(\.name))
        entries = ordered.map { info in
            guard TensorTypePlan.allowsQuantization(info) else {
                return Entry(name: info.name, dims: info.dims, from: info.type, to: info.type, fellBackFrom: nil)
            }
            var chosen = fileType.defaultType
            if fileType.isQuantized { chosen = rules.type(for: info, default: chosen) }
            let final = fileType.isQuantized ? TensorTypePlan.fallback(chosen, rowLength: info.dims.first ?? 0) : chosen
            return Entry(name: info.name, dims: info.dims, from: info.type, to: final, fellBackFrom: final == chosen ? nil : chosen)
        }
    }

    /// llama.cpp's tensor order (`weight_name_comparer`): tensors outside any block first, then
    /// by block number ("blk.N."), and by name (bytewise) within each.
    public static func llamaOrder(_ tensors: [GGUFTensorInfo]) -> [GGUFTensorInfo] {
        func layer(_ name: String) -> Int {
            guard name.hasPrefix("blk.") else { return -1 }
            let digits = name.dropFirst(4).prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, name.dropFirst(4 + digits.count).hasPrefix("."), let n = Int(digits) else { return -1 }
            return n
        }
        return tensors.sorted { a, b in
            let (la, lb) = (layer(a.name), layer(b.name))
            if la != lb { return la < lb }
            return Array(a.name.utf8).lexicographicallyPrecedes(Array(b.name.utf8))
        }
    }

    /// llama.cpp's `tensor_allows_quantization` for the names dense models use.
    static func allowsQuantization(_ info: GGUFTensorInfo) -> Bool {
        let name = info.name
        let nDims = (info.dims.lastIndex { $0 > 1 } ?? 0) + 1  // ggml_n_dims: trailing 1s do not count
        guard nDims >= 2, name.hasSuffix("weight") else { return false }
        let never = ["_norm.weight", "ffn_gate_inp.weight", "altup", "laurel", "per_layer_model_proj",
                     "ssm_conv1d", "shortconv.conv.weight", "attn_rel_b.weight"]
        if never.contains(where: { name.contains($0) }) { return false }
        return name != "position_embd.weight" && name != "token_types.weight"
    }

    /// llama.cpp's `tensor_type_fallback`: a type whose block does not divide the row length.
    static func fallback(_ type: GGMLType, rowLength: Int) -> GGMLType {
        guard rowLength % type.blockSize != 0 else { return type }
        let smaller: GGMLType
        switch type {
        case .q2_K, .q3_K: smaller = .q4_0
        case .q4_K: smaller = .q5_0
        case .q5_K: smaller = .q5_1
        case .q6_K: smaller = .q8_0
        default: smaller = type
        }
        return rowLength % smaller.blockSize == 0 ? smaller : .f16
    }
}
