/// A read-only 2-D weight matrix in a ggml block layout: `rows` rows of `cols` elements, row-major,
/// each row `cols / blockSize` blocks. Points into a memory-mapped file (never copied); the owner
/// of that mapping must keep it alive while the matrix is used.
public struct WeightMatrix: @unchecked Sendable {
    /// Element type of the stored data.
    public let type: QuantType
    /// Output features (R).
    public let rows: Int
    /// Input features (K), a multiple of `type.blockSize`.
    public let cols: Int
    /// [rows, rowBytes] bytes in `type`'s block layout.
    public let data: UnsafeRawPointer
    /// Bytes per row.
    public let rowBytes: Int

    /// Wraps `data` (a ggml type id `typeRawValue`, `rows` × `cols`) without copying it.
    /// Throws for types the kernels do not support and rows that are not whole blocks.
    public init(typeRawValue: UInt32, rows: Int, cols: Int, data: UnsafeRawPointer) throws(KernelError) {
        guard let type = QuantType(rawValue: typeRawValue), type.isWeightType else {
            throw .unsupportedType(rawValue: typeRawValue)
        }
        try self.init(type: type, rows: rows, cols: cols, data: data)
    }

    /// Wraps `data` of element type `type` (`rows` × `cols`) without copying it.
    public init(type: QuantType, rows: Int, cols: Int, data: UnsafeRawPointer) throws(KernelError) {
        guard type.isWeightType else { throw .unsupportedType(rawValue: type.rawValue) }
        guard rows > 0, cols > 0 else { throw .invalidShape(rows: rows, cols: cols) }
        guard cols % type.blockSize == 0 else {
            throw .colsNotMultipleOfBlock(type: type, cols: cols, blockSize: type.blockSize)
        }
        self.type = type
        self.rows = rows
        self.cols = cols
        self.data = data
        self.rowBytes = type.rowBytes(cols: cols)
    }

    /// Start of row `r` (precondition: `0 <= r < rows`).
    @inlinable
    public func row(_ r: Int) -> UnsafeRawPointer {
        precondition(r >= 0 && r < rows, "row \(r) out of 0..<\(rows)")
        return data + r * rowBytes
    }

    /// Total bytes of the matrix.
    public var byteCount: Int { rows * rowBytes }
}
