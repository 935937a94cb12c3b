import KingletGGUF

/// RoPE scaling as a file describes it (`<arch>.rope.scaling.*`): part of the configuration. The
/// frequency factors it may use are tensors, loaded with the weights (`RoPEScaling`).
public struct RoPEScalingConfig: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// No scaling, whatever the factor says.
        case none
        /// Positions divided by `factor` (llama.cpp's default type when the key is absent).
        case linear
        /// Per-frequency factors chosen by context length, and a magnitude (Phi 3.5).
        case longrope
    }

    public var kind: Kind = .linear
    /// `rope.scaling.factor`; nil (or absent): 1.
    public var factor: Float?
    /// `rope.scaling.attn_factor`: multiplies cos and sin; nil: 1.
    public var attentionFactor: Float?
    /// `rope.scaling.original_context_length`; nil: the file's `context_length`.
    public var originalContextLength: Int?

    public init(kind: Kind = .linear, factor: Float? = nil, attentionFactor: Float? = nil, originalContextLength: Int? = nil) {
        self.kind = kind
        self.factor = factor
        self.attentionFactor = attentionFactor
        self.originalContextLength = originalContextLength
    }

    /// llama.cpp's freq_scale: 1/factor for linear (and LongRoPE with a factor), 1 otherwise.
    var frequencyScale: Float { kind == .none ? 1 : 1 / (factor ?? 1) }

    /// Reads the keys; a present key of the wrong type or out of range is `badMetadata` naming it,
    /// and so is YaRN, which Kinglet does not compute.
    init(gguf: GGUFFile, architecture a: String) throws(ModelError) {
        let m = gguf.metadata
        func float(_ k: ConfigKey) throws(ModelError) -> Float? {
            guard let v = m[k.key(a)] else { return nil }
            guard let x = v.doubleValue.map(Float.init), x.isFinite, x >= 0 else {
                throw .badMetadata(key: k.key(a), expected: "a finite number ≥ 0")
            }
            return x == 0 ? nil : x  // llama.cpp reads 0 as "not set"
        }
        if let v = m[ConfigKey.ropeScalingType.key(a)] {
            let supported = Kind.allCases.map(\.rawValue).joined(separator: ", ")
            guard let s = v.stringValue, let k = Kind(rawValue: s) else {
                throw .badMetadata(key: ConfigKey.ropeScalingType.key(a),
                                   expected: "one of \(supported) (\(v.stringValue.map { "'\($0)'" } ?? "a non-string") is not supported)")
            }
            kind = k
        }
        factor = try float(.ropeScalingFactor)
        attentionFactor = try float(.ropeScalingAttentionFactor)
        if let v = m[ConfigKey.ropeScalingOriginalContext.key(a)] {
            guard let n = v.intValue, n > 0, n <= 1 << 30 else {
                throw .badMetadata(key: ConfigKey.ropeScalingOriginalContext.key(a), expected: "an integer in 1...2^30")
            }
            originalContextLength = n
        }
    }

    /// Writes the keys `init(gguf:)` reads (nothing for the default).
    func write(into w: inout GGUFWriter, architecture a: String) {
        if self == RoPEScalingConfig() { return }
        w.set(ConfigKey.ropeScalingType.key(a), kind.rawValue)
        if let f = factor { w.set(ConfigKey.ropeScalingFactor.key(a), float32: f) }
        if let f = attentionFactor { w.set(ConfigKey.ropeScalingAttentionFactor.key(a), float32: f) }
        if let n = originalContextLength { w.set(ConfigKey.ropeScalingOriginalContext.key(a), uint32: n) }
    }

    func validate() throws(ModelError) {
        for (name, x) in [("rope.scaling.factor", factor), ("rope.scaling.attn_factor", attentionFactor)] {
            if let x, !(x.isFinite && x > 0) { throw .badConfig("\(name) \(x) must be finite and positive") }
        }
        if let n = originalContextLength, n <= 0 { throw .badConfig("rope.scaling.original_context_length must be positive") }
    }
}

/// RoPE scaling as the rotation applies it (ggml `rope_yarn` without YaRN's ramp): for pair i of
/// a head at position p,
///     θᵢ = frequencyScale · (p · base^(−2i/n) / factorᵢ),   cos θᵢ · magnitude,   sin θᵢ · magnitude.
/// - Linear scaling: frequencyScale = 1/`rope.scaling.factor`.
/// - Llama 3.x: `rope_freqs.weight` holds the factors.
/// - LongRoPE (Phi 3.5): `rope_factors_long.weight` when the context exceeds the original one,
///   else `rope_factors_short.weight` (llama.cpp `get_rope_factors`); magnitude `rope.scaling.attn_factor`.
struct RoPEScaling: @unchecked Sendable {
    var frequencyScale: Float = 1
    /// Per-frequency divisors, [dims/2], in the memory-mapped file; nil: all 1.
    var factors: UnsafePointer<Float>?
    var magnitude: Float = 1

    static let none = RoPEScaling()

    /// The scaling a model with configuration `c` runs with, its factors loaded and checked:
    /// [ropeDimensionCount/2] F32, every one finite and positive.
    init(_ c: ModelConfig, _ t: TensorLoader) throws(ModelError) {
        let s = c.ropeScaling
        frequencyScale = s.frequencyScale
        magnitude = s.attentionFactor ?? 1
        let name: String?
        if t.hasTensor(TensorNames.ropeFrequencies) {
            name = TensorNames.ropeFrequencies
        } else if s.kind == .longrope || t.hasTensor(TensorNames.ropeFactorsShort) || t.hasTensor(TensorNames.ropeFactorsLong) {
            let long = c.contextLength > (s.originalContextLength ?? c.contextLength)
            name = long ? TensorNames.ropeFactorsLong : TensorNames.ropeFactorsShort
            t.leaveAside(long ? TensorNames.ropeFactorsShort : TensorNames.ropeFactorsLong)  // the other set
        } else {
            name = nil
        }
        guard let name else { return }
        let n = c.ropeDimensionCount / 2
        let f = try t.vector(name, count: n)
        for i in 0 ..< n where !(f[i].isFinite && f[i] > 0) {
            throw .badTensorValue(name: name, index: i, expected: "a finite positive frequency factor, found \(f[i])")
        }
        factors = f
    }

    init() {}

    /// The angle of pair `i` whose unscaled angle is `theta`, as ggml rounds it.
    @inline(__always) func angle(_ theta: Float, pair i: Int) -> Float {
        frequencyScale * (factors.map { theta / $0[i] } ?? theta)
    }
}
