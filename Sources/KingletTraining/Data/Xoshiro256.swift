import KingletKernels

extension Xoshiro256StarStar {
    /// Restores a sampler state read from a checkpoint; four words, not all zero.
    public init(state: [UInt64]) throws(TokenDataError) {
        guard state.count == 4 else { throw .badSamplerState(reason: "expected 4 state words, got \(state.count)") }
        guard let r = Xoshiro256StarStar(words: state) else { throw .badSamplerState(reason: "an all-zero state never changes") }
        self = r
    }
}
