extension LlamaFamily {
    /// Qwen 3 dense (`general.architecture = qwen3`), as llama.cpp's `src/models/qwen3.cpp`
    /// builds it: llama's block without biases, a per-head RMSNorm of Q and K (`attn_q_norm`,
    /// `attn_k_norm`, [Dh]) before RoPE on halves (NeoX); the head size is its own
    /// (`attention.key_length`, H·Dh ≠ D).
    static let qwen3 = LlamaFamily(architecture: "qwen3", ropeStyle: .neox, queryKeyNorm: true)
}
