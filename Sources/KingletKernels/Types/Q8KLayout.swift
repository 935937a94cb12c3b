// The fields of a Q8_K activation block, as the K-quant reference dots read them:
//
//   offset  bytes  field
//   0       4      f32 d
//   4       256    i8 qs[256]
//   260     32     i16 bsums[16]: bsums[g] = Σ qs[16·g ..< 16·g + 16]
//                                                                          292 bytes
enum Q8KLayout {
    static let blockBytes = 292

    /// The f32 scale of the block at `block`.
    @inline(__always)
    static func d(_ block: UnsafeRawPointer) -> Float { block.loadUnaligned(as: Float.self) }

    /// qs[i].
    @inline(__always)
    static func q(_ block: UnsafeRawPointer, _ i: Int) -> Int8 { block.int8(at: 4 + i) }

    /// bsums[g].
    @inline(__always)
    static func bsum(_ block: UnsafeRawPointer, _ g: Int) -> Int16 {
        block.loadUnaligned(fromByteOffset: 260 + 2 * g, as: Int16.self)
    }
}
