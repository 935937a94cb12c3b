/// What tells apart the architectures that run llama's forward pass (`LlamaModel`): llama.cpp
/// builds each with its own graph (`src/models/<arch>.cpp`), but the graphs differ only in these
/// points. Every member loads Q/K/V separate or fused, with or without biases (`AttentionWeights`),
/// and honours RoPE scaling (`RoPEScaling`). Each architecture's member is declared in its own
/// folder (`Qwen2/Qwen2.swift`, …) and registered in `ArchitectureRegistry`.
struct LlamaFamily: Sendable {
    /// GGUF `general.architecture`, and the prefix of its metadata keys.
    let architecture: String
    let ropeStyle: RoPEStyle
    /// Per-head RMSNorm of Q and K before RoPE (`attn_q_norm`, `attn_k_norm`, required).
    var queryKeyNorm = false
    /// Gate and up in one `ffn_up` [2F, D], gate rows first, and no `ffn_gate`.
    var fusedGateUp = false
    /// The queries multiplied by 1/√Dh after RoPE and attention run with scale 1, as llama.cpp's
    /// Phi 3 graph does (the F16 rounding of the query then matches).
    var scalesQueries = false

    /// `general.architecture = llama`: SmolLM2, Llama 2 and 3.x, TinyLlama. RoPE on adjacent
    /// pairs (the converter permutes Q and K for it).
    static let llama = LlamaFamily(architecture: "llama", ropeStyle: .normal)
}
