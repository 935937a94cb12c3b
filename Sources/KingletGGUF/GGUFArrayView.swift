/// A large metadata array kept as bytes of the mapped file: element type, count and the encoded
/// elements (strings as u64 length + bytes, scalars little-endian). Bounds were checked when
/// the file was parsed, so decoding cannot read outside `bytes`.
public struct GGUFArrayView: @unchecked Sendable {
    public let elementType: GGUFValueType
    public let count: Int
    /// The encoded elements.
    let bytes: UnsafeRawBufferPointer
    /// Keeps the mapping alive.
    let owner: AnyObject?

    /// Arrays shorter than this are decoded eagerly.
    static let lazyThreshold = 1024

    /// The elements as values.
    public func decode() -> [GGUFValue] {
        var c = ByteCursor(bytes)
        var out: [GGUFValue] = []
        out.reserveCapacity(count)
        for _ in 0 ..< count {
            // Cannot fail: parsing walked these same bytes.
            guard let v = try? GGUFFile.readScalarOrString(&c, type: elementType) else { break }
            out.append(v)
        }
        return out
    }

    /// The elements as strings, without building values (nil unless an array of strings).
    public func strings() -> [String]? {
        guard elementType == .string else { return nil }
        var c = ByteCursor(bytes)
        var out: [String] = []
        out.reserveCapacity(count)
        for _ in 0 ..< count {
            guard let s = try? c.readString("array element") else { return nil }
            out.append(s)
        }
        return out
    }
}
