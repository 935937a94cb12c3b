// Dispatch-table entries backed by the Swift reference kernels, and the note a fast table leaves
// when it falls back to them.
import Foundation

extension TypeKernels {
    /// The reference kernels of weight type `type` (Types/), with `rounding` for 8-bit activations.
    static func reference(_ type: QuantType, rounding: ActivationRounding) -> TypeKernels {
        let partner = KernelTable.partner(of: type)
        return TypeKernels(
            partner: partner,
            implementation: "reference",
            dequantizeRow: { src, out, k in ReferenceKernels.dequantizeRow(type, src, into: out, count: k) },
            quantizeRow: { x, out, k in ReferenceKernels.quantizeRow(x, to: partner, out, count: k, rounding: rounding) },
            gemm: { w, rows, x, xRowBytes, n, out in
                ReferenceKernels.gemm(w, rows: rows, x, xRowBytes: xRowBytes, n: n, out)
            }
        )
    }
}

/// Tells stderr, once per table and type, that a fast table runs a type on the reference kernels
/// (correct, but one to two orders of magnitude slower).
enum FallbackNote {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var noted: Set<String> = []

    static func once(table: String, type: QuantType) {
        let key = "\(table) \(type)"
        let first = lock.withLock { noted.insert(key).inserted }
        guard first else { return }
        FileHandle.standardError.write(Data(
            "kinglet: the \(table) kernels have no fast path for \(type); using the reference kernels\n".utf8))
    }
}
