/// The seeded generators of the whole package. Their outputs depend on nothing but the seed (not
/// the platform or the Swift version, unlike `SystemRandomNumberGenerator` or the standard
/// library's `random(in:)` algorithms, which are not used for anything reproducible).

/// SplitMix64 (Steele, Lea & Flood): one word of state. Seeds xoshiro256**, and draws weight
/// initializations and test data.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(state: UInt64) { self.state = state }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// The output function: every input bit reaches every output bit.
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// xoshiro256** (Blackman & Vigna), seeded by SplitMix64 as its authors recommend: fast, and its
/// whole state is four words, so a checkpoint saves it and a resumed run continues the exact same
/// sequence. Sampling, prompt shuffles and training batches all draw from it.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable, Equatable {
    private var s0, s1, s2, s3: UInt64

    public init(seed: UInt64) {
        var seeder = SplitMix64(state: seed)
        s0 = seeder.next(); s1 = seeder.next(); s2 = seeder.next(); s3 = seeder.next()
    }

    /// Restores a state saved from `state`; nil unless it is four words, not all zero (an
    /// all-zero state never changes).
    public init?(words: [UInt64]) {
        guard words.count == 4, words.contains(where: { $0 != 0 }) else { return nil }
        s0 = words[0]; s1 = words[1]; s2 = words[2]; s3 = words[3]
    }

    /// The full state: pass it to `init(words:)` to continue from here.
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

    /// A uniform Double in [0, 1) with 53 random bits.
    public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A uniform Float in [0, 1) with 24 random bits.
    public mutating func nextUnitFloat() -> Float { Float(next() >> 40) * 0x1p-24 }
}
