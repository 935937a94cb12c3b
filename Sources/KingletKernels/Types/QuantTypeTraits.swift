// One description per element type, as ggml's `type_traits`: block shape, the plain Swift
// reference kernels, and the activation type a weight row is multiplied with. Each type's file in
// this folder holds its layout and its references; `QuantType.traits` looks them up, and the fast
// kernels are overlays registered per ISA in the KernelTable files.
//
// Adding a type: a file here with `enum <Name> { static let traits = QuantTypeTraits(...) }`, a
// case in `QuantType` (raw value = ggml type id) and one line in `QuantType.traits`. It then runs
// everywhere on the reference kernels; a fast kernel is one more entry in a KernelTable file.
//
// Legend: K = elements in a row (a multiple of blockSize).

/// The description of one ggml element type.
public struct QuantTypeTraits: Sendable {
    /// ggml's name ("Q4_0", "Q4_K", "F16", …).
    public let name: String
    /// Elements per block (1 for plain float types, 32 for legacy quants, 256 for K-quants).
    public let blockSize: Int
    /// Bytes per block.
    public let blockBytes: Int
    /// The activation layout a weight row is multiplied with (ggml's `vec_dot_type`); nil for
    /// activation-only types (Q8_1, Q8_K), which are never weights.
    public let partner: QuantType?
    /// (src [K / blockSize blocks], out [K] f32, K): the reference dequantizer.
    let dequantize: @Sendable (UnsafeRawPointer, UnsafeMutablePointer<Float>, Int) -> Void
    /// (w [K] in this layout, x [K] in `partner`'s layout, K) → Σ w·x: the reference dot, in the
    /// order of ggml's generic `vec_dot`. nil for activation-only types.
    let dot: (@Sendable (UnsafeRawPointer, UnsafeRawPointer, Int) -> Float)?
    /// (x [K] f32, out [K] in this layout, K, rounding): the reference activation quantizer
    /// (ggml's `from_float`); nil for types that are never a partner.
    let quantize: (@Sendable (UnsafePointer<Float>, UnsafeMutableRawPointer, Int, ActivationRounding) -> Void)?
    /// (x [K] f32, out [K] in this layout, K): the reference weight quantizer model files are made
    /// with (ggml's `quantize_row_*_ref`, what `llama-quantize` runs without an importance
    /// matrix), bit for bit; nil for activation-only types.
    let quantizeWeights: (@Sendable (UnsafePointer<Float>, UnsafeMutableRawPointer, Int) -> Void)?

    init(
        name: String, blockSize: Int, blockBytes: Int, partner: QuantType?,
        dequantize: @escaping @Sendable (UnsafeRawPointer, UnsafeMutablePointer<Float>, Int) -> Void,
        dot: (@Sendable (UnsafeRawPointer, UnsafeRawPointer, Int) -> Float)?,
        quantize: (@Sendable (UnsafePointer<Float>, UnsafeMutableRawPointer, Int, ActivationRounding) -> Void)?,
        quantizeWeights: (@Sendable (UnsafePointer<Float>, UnsafeMutableRawPointer, Int) -> Void)? = nil
    ) {
        self.name = name
        self.blockSize = blockSize
        self.blockBytes = blockBytes
        self.partner = partner
        self.dequantize = dequantize
        self.dot = dot
        self.quantize = quantize
        self.quantizeWeights = quantizeWeights
    }
}

/// Little-endian field reads shared by the per-type references.
extension UnsafeRawPointer {
    /// The f16 at byte `offset`, as Float.
    @inline(__always)
    func half(at offset: Int) -> Float { halfToFloat(loadUnaligned(fromByteOffset: offset, as: UInt16.self)) }

    /// The byte at `offset`.
    @inline(__always)
    func byte(at offset: Int) -> UInt8 { load(fromByteOffset: offset, as: UInt8.self) }

    /// The signed byte at `offset`.
    @inline(__always)
    func int8(at offset: Int) -> Int8 { load(fromByteOffset: offset, as: Int8.self) }
}

/// The walk every weight quantizer shares: `body(x, block)` for each block of `blockSize` inputs
/// and its `blockBytes` of output. `k` not whole blocks is a caller's bug (rows are checked
/// against their type's block size when a model loads).
@inline(__always)
func forEachBlock(
    _ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer, _ k: Int, blockSize: Int, blockBytes: Int, of type: String,
    _ body: (UnsafePointer<Float>, UnsafeMutableRawPointer) -> Void
) {
    precondition(k % blockSize == 0, "\(k) elements are not whole \(type) blocks of \(blockSize)")
    for b in 0..<k / blockSize { body(x + b * blockSize, out + b * blockBytes) }
}
