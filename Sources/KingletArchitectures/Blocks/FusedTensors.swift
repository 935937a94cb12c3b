import KingletKernels

/// Fused tensors (Phi 3's `attn_qkv` [H·Dh + 2·Hkv·Dh, D] and `ffn_up` [2F, D]) as views of
/// their row ranges: no copy, and the parts still go through one multi-matrix product.
extension WeightMatrix {
    /// Rows `range` of this matrix, sharing its memory. [range.count, cols]
    func rows(_ range: Range<Int>) -> WeightMatrix {
        precondition(!range.isEmpty && range.lowerBound >= 0 && range.upperBound <= rows, "rows \(range) out of 0..<\(rows)")
        do {
            return try WeightMatrix(type: type, rows: range.count, cols: cols, data: data + range.lowerBound * rowBytes)
        } catch {
            preconditionFailure("a row range of a valid matrix is valid: \(error)")
        }
    }
}

extension TensorLoader {
    /// A matrix whose rows are `parts` stacked in order, returned as one view per part.
    /// A shape other than [Σ parts, cols] is `badTensorShape` naming the tensor.
    func fusedMatrix(_ name: String, parts: [Int], cols: Int) throws(ModelError) -> [WeightMatrix] {
        precondition(parts.allSatisfy { $0 > 0 }, "empty part")
        let whole = try matrix(name, rows: parts.reduce(0, +), cols: cols)
        var views: [WeightMatrix] = []
        var first = 0
        for n in parts {
            views.append(whole.rows(first ..< first + n))
            first += n
        }
        return views
    }
}
