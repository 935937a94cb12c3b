/// Seeded uniform weights for the tiny test models: one LCG stream, every tensor's values kept by
/// a short name so a test's reference forward pass can read them.
public struct SeededTensors {
    public private(set) var values: [String: [Float]] = [:]
    private var state: UInt64

    public init(seed: UInt64 = 1) { state = seed }

    /// `count` values uniform in offset ± scale, recorded under `name`.
    public mutating func make(_ name: String, _ count: Int, scale: Float = 0.3, offset: Float = 0) -> [Float] {
        let v = (0 ..< count).map { _ -> Float in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return offset + scale * (Float(state >> 40) / Float(1 << 24) * 2 - 1)
        }
        values[name] = v
        return v
    }
}
