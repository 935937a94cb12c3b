/// xoshiro256** (Blackman & Vigna), seeded by SplitMix64: a fast generator whose whole state is
/// four words, so a checkpoint can save it and a resumed run continues the exact same sequence.
/// The output does not depend on the Swift version (unlike `SystemRandomNumberGenerator` or
/// the standard library's `random(in:)` algorithms, which are not used here).
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable, Equatable {
    private var s0, s1, s2, s3: UInt64

    /// Seeds the four words from SplitMix64(seed), as the authors recommend.
    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9e37_79b9_7f4a_7c15
            return Self.mix(x)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    /// SplitMix64's output function: every input bit reaches every output bit.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// Restores a state saved from `state`; four words, not all zero.
    public init(state: [UInt64]) throws(TokenDataError) {
        guard state.count == 4 else { throw .badSamplerState(reason: "expected 4 state words, got \(state.count)") }
        guard state.contains(where: { $0 != 0 }) else { throw .badSamplerState(reason: "an all-zero state never changes") }
        s0 = state[0]; s1 = state[1]; s2 = state[2]; s3 = state[3]
    }

    /// The full state: pass it to `init(state:)` to continue from here.
    public var state: [UInt64] { [s0, s1, s2, s3] }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// A uniform integer in `0 ..< bound` (Lemire's multiply-and-reject: unbiased, and the same
    /// on every platform).
    public mutating func next(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "empty range")
        var m = next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
        }
        return m.high
    }

    /// A uniform Float in [0, 1) with 24 random bits.
    public mutating func nextUnitFloat() -> Float { Float(next() >> 40) * 0x1p-24 }
}
