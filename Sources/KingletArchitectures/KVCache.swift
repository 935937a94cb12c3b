import KingletKernels

/// Keys and values of every evaluated position, per layer, stored as F16 (as llama.cpp does by
/// default) or F32.
///
/// Layout: k, v: [L, C, Hkv·Dh]. Memory is reserved for the whole context but only touched as
/// positions fill, so a long context costs resident memory only when used.
public final class KVCache: @unchecked Sendable {
    public enum Precision: String, Sendable { case f16, f32 }

    public let layers: Int
    public let capacity: Int          // C
    public let rowSize: Int           // Hkv·Dh
    public let precision: Precision
    /// Positions filled so far (the next token goes at `count`).
    public internal(set) var count: Int = 0

    let k16: UnsafeMutablePointer<UInt16>?, v16: UnsafeMutablePointer<UInt16>?  // F16 bits
    let k32: UnsafeMutablePointer<Float>?, v32: UnsafeMutablePointer<Float>?

    /// Bytes the keys and values of one sequence take, or nil when the product overflows.
    public static func byteCount(layers: Int, capacity: Int, rowSize: Int, precision: Precision) -> Int? {
        let element = precision == .f16 ? 2 : 4
        var n = 2 * element  // keys and values
        for factor in [layers, capacity, rowSize] {
            guard factor >= 0 else { return nil }
            let (p, overflow) = n.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            n = p
        }
        return n
    }

    /// The caller checks the size first (`byteCount`): an absurd size traps here.
    public init(layers: Int, capacity: Int, rowSize: Int, precision: Precision = .f16) {
        self.layers = layers
        self.capacity = capacity
        self.rowSize = rowSize
        self.precision = precision
        let n = layers * capacity * rowSize
        switch precision {
        case .f16:
            k16 = .allocate(capacity: n); v16 = .allocate(capacity: n); k32 = nil; v32 = nil
        case .f32:
            k32 = .allocate(capacity: n); v32 = .allocate(capacity: n); k16 = nil; v16 = nil
        }
    }

    deinit {
        k16?.deallocate(); v16?.deallocate(); k32?.deallocate(); v32?.deallocate()
    }

    /// Forgets positions from `position` on (for example to rewind to a shared prefix).
    public func truncate(to position: Int) {
        count = max(0, min(count, position))
    }

    /// Resident bytes for `count` positions.
    public var usedBytes: Int { layers * count * rowSize * 2 * (precision == .f16 ? 2 : 4) }

    @inline(__always) func offset(layer: Int, position: Int) -> Int { (layer * capacity + position) * rowSize }

    /// Stores one position's key and value rows ([Hkv·Dh] each).
    func store(layer: Int, position: Int, key: UnsafePointer<Float>, value: UnsafePointer<Float>) {
        let o = offset(layer: layer, position: position)
        if let k16, let v16 {
            HalfVector.native.toHalf(key, k16 + o, count: rowSize)
            HalfVector.native.toHalf(value, v16 + o, count: rowSize)
        } else if let k32, let v32 {
            (k32 + o).update(from: key, count: rowSize)
            (v32 + o).update(from: value, count: rowSize)
        }
    }
}
