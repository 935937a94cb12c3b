// The dispatch table: for each weight type, which dequantizer, activation converter and dot/tile
// kernel run, and which activation partner type they meet in. Chosen once per process from the
// CPU's features (`KernelTable.native`); the model code never branches on the ISA itself.
// Each type's layout and reference kernels are described once (Types/); a table lists the fast
// kernels of its ISA as overlays, and a weight type without one runs the reference (noted once
// on stderr).
import CKingletKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The kernels for one weight type.
public struct TypeKernels: Sendable {
    /// The layout activations are converted to before the dot product (ggml's `vec_dot_type`).
    public let partner: QuantType
    /// Which implementation this entry uses ("avx2", "reference", …).
    public let implementation: String
    /// (src row of K elements in the weight layout, out [K] f32, K).
    let dequantizeRow: @Sendable (UnsafeRawPointer, UnsafeMutablePointer<Float>, Int) -> Void
    /// (x [K] f32, out [K] in `partner` layout, K). Unused when `partner` is F32.
    let quantizeRow: @Sendable (UnsafePointer<Float>, UnsafeMutableRawPointer, Int) -> Void
    /// out[t, r] = W[r] · X[t] for r in `rows`, t in 0..<n. X: n rows of `xRowBytes` bytes in the
    /// partner layout; out: [n, w.rows] f32.
    let gemm: @Sendable (
        _ w: WeightMatrix, _ rows: Range<Int>, _ x: UnsafeRawPointer, _ xRowBytes: Int, _ n: Int,
        _ out: UnsafeMutablePointer<Float>
    ) -> Void
}

/// Which kernel runs for which weight type on this CPU.
public struct KernelTable: Sendable {
    /// Short name of the main implementation ("avx512-vnni", "avx2", "neon-dotprod", "reference").
    public let name: String
    /// The CPU features that were detected, for logs.
    public let cpuFeatures: [String]
    /// How 8-bit activations are rounded (matches the llama.cpp build for this architecture).
    public let rounding: ActivationRounding
    /// Every weight type's kernels: the ISA's overlays, the reference for the rest.
    let entries: [QuantType: TypeKernels]
    /// The weight types this table runs on the reference because it has no fast kernel for them.
    let fallbacks: Set<QuantType>
    /// Attention over a KV cache in blocks, per cache type (`KVBlockKernels.cacheTypes`).
    let kvEntries: [QuantType: KVBlockKernels]

    /// A table of `overlays` (fast kernels per weight type) and `kvOverlays` (per KV cache block
    /// type); every other type runs the reference kernels, a weight type with a one-time note on
    /// stderr when first used.
    init(name: String, cpuFeatures: [String], rounding: ActivationRounding, overlays: [QuantType: TypeKernels],
         kvOverlays: [QuantType: KVBlockKernels] = [:]) {
        self.name = name
        self.cpuFeatures = cpuFeatures
        self.rounding = rounding
        var entries = overlays
        var fallbacks: Set<QuantType> = []
        for type in QuantType.allCases where type.isWeightType && entries[type] == nil {
            entries[type] = .reference(type, rounding: rounding)
            if name != "reference" { fallbacks.insert(type) }
        }
        self.entries = entries
        self.fallbacks = fallbacks
        var kv = kvOverlays
        for type in KVBlockKernels.cacheTypes where kv[type] == nil { kv[type] = .reference(type, rounding: rounding) }
        kvEntries = kv
    }

    /// The kernels for weight type `type` (precondition: `type.isWeightType`).
    public subscript(type: QuantType) -> TypeKernels {
        guard let entry = entries[type] else { preconditionFailure("\(type) is not a weight type") }
        if fallbacks.contains(type) { FallbackNote.once(table: name, type: type) }
        return entry
    }

    /// The kernels for attention over a KV cache stored as `type` blocks (precondition: one of
    /// `KVBlockKernels.cacheTypes`).
    public func kvBlocks(_ type: QuantType) -> KVBlockKernels {
        guard let entry = kvEntries[type] else { preconditionFailure("\(type) is not a KV cache block type") }
        return entry
    }

    /// The partner (activation) type of weight type `type`, as in ggml's type traits.
    public static func partner(of type: QuantType) -> QuantType {
        guard let partner = type.traits.partner else { preconditionFailure("\(type) is not a weight type") }
        return partner
    }

    /// Plain Swift kernels for every type, with `rounding` for 8-bit activations.
    public static func reference(rounding: ActivationRounding = .native) -> KernelTable {
        KernelTable(name: "reference", cpuFeatures: detectedFeatureNames(), rounding: rounding, overlays: [:])
    }

    /// The table for this CPU, chosen once from cpuid. `KINGLET_KERNELS=<name>` (for example
    /// `reference` or `avx2`) picks another runnable table, for debugging and comparisons.
    public static let native: KernelTable = {
        if let forced = getenv("KINGLET_KERNELS").map({ String(cString: $0) }),
           let table = allRunnable().first(where: { $0.name == forced }) {
            return table
        }
        return fastest() ?? reference()
    }()

    /// The fastest table this CPU supports, or nil when only the reference kernels run here.
    public static func fastest() -> KernelTable? {
        let features = kk_cpu_features()
        #if arch(x86_64)
        if features & UInt32(KK_CPU_AVX2) != 0 {
            return x86(vnni: features & UInt32(KK_CPU_AVX512VNNI) != 0)
        }
        #elseif arch(arm64)
        if features & UInt32(KK_CPU_NEON) != 0 {
            return arm(dotprod: features & UInt32(KK_CPU_DOTPROD) != 0)
        }
        #endif
        _ = features
        return nil
    }

    /// Every table this CPU can run, fastest first, ending with the reference (for tests).
    public static func allRunnable() -> [KernelTable] {
        var tables: [KernelTable] = []
        #if arch(x86_64)
        let features = kk_cpu_features()
        if features & UInt32(KK_CPU_AVX2) != 0 {
            if features & UInt32(KK_CPU_AVX512VNNI) != 0 { tables.append(x86(vnni: true)) }
            tables.append(x86(vnni: false))
        }
        #elseif arch(arm64)
        let features = kk_cpu_features()
        if features & UInt32(KK_CPU_DOTPROD) != 0 { tables.append(arm(dotprod: true)) }
        tables.append(arm(dotprod: false))
        #endif
        tables.append(reference())
        return tables
    }

    /// Names of the KK_CPU_* features this CPU has.
    static func detectedFeatureNames() -> [String] {
        let bits = kk_cpu_features()
        let names: [(UInt32, String)] = [
            (UInt32(KK_CPU_AVX2), "avx2+fma+f16c"), (UInt32(KK_CPU_AVX512), "avx512f/bw/vl"),
            (UInt32(KK_CPU_AVX512VNNI), "avx512-vnni"), (UInt32(KK_CPU_NEON), "neon"),
            (UInt32(KK_CPU_DOTPROD), "dotprod"),
        ]
        return names.filter { bits & $0.0 != 0 }.map(\.1)
    }
}
