extension LlamaFamily {
    /// Phi 3 and 3.5 (`general.architecture = phi3`), as llama.cpp's `src/models/phi3.cpp`
    /// builds it: Q, K and V in one `attn_qkv`, gate and up in one `ffn_up` [2F, D] (SwiGLU on
    /// its halves), RoPE on halves (NeoX) with LongRoPE factors when the file has them, the
    /// queries scaled by 1/√Dh before attention. Its sliding window is ignored, as llama.cpp does.
    static let phi3 = LlamaFamily(architecture: "phi3", ropeStyle: .neox, fusedGateUp: true, scalesQueries: true)
}
