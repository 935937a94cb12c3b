extension LlamaFamily {
    /// Qwen 2 and 2.5 (`general.architecture = qwen2`), as llama.cpp's `src/models/qwen2.cpp`
    /// builds it: llama's block with biases on Q, K and V (`attn_q.bias`, …) and RoPE on halves
    /// (NeoX) with base `rope.freq_base` (10⁶ for 2.5); the small models tie the output head to
    /// the embedding.
    static let qwen2 = LlamaFamily(architecture: "qwen2", ropeStyle: .neox)
}
