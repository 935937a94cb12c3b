import KingletGGUF
import KingletKernels

// f32 weights → the export types through the kernels' reference weight quantizers
// (`ReferenceKernels.quantizeWeightRow`: ggml's `quantize_row_*_ref` bit for bit, one per type
// beside its layout in KingletKernels/Types). Tests/Data/quant holds golden bytes made by gguf-py
// (scripts/make-quant-golden.py) and by ggml itself (scripts/make-quantize-fixtures.sh).
//
// Legend: K = elements in a row (a multiple of the type's block size).

/// Converts f32 weight rows to any type Kinglet can write (F32, F16, BF16, the legacy and K-quants).
public enum WeightQuantizer {
    /// Converts `count` (K) values at `x` into `type`'s layout at `out` ([K / blockSize] blocks).
    public static func convert(_ x: UnsafePointer<Float>, count: Int, to type: GGMLType, into out: UnsafeMutableRawPointer) {
        guard let kernelType = QuantType(rawValue: type.rawValue), kernelType.canQuantizeWeights else {
            preconditionFailure("no quantizer for \(type)")
        }
        ReferenceKernels.quantizeWeightRow(x, to: kernelType, out, count: count)
    }

    /// `values` in `type`'s layout (a convenience for small tensors and tests).
    public static func convert(_ values: [Float], to type: GGMLType) -> [UInt8] {
        guard let bytes = type.byteCount(elements: values.count) else {
            preconditionFailure("\(values.count) values are not whole \(type) blocks")
        }
        var out = [UInt8](repeating: 0, count: bytes)
        values.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBytes { o in
                if let src = x.baseAddress, let dst = o.baseAddress { convert(src, count: values.count, to: type, into: dst) }
            }
        }
        return out
    }
}
