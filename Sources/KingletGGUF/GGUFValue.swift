/// One metadata value of a GGUF file. Arrays may nest (an array of arrays of strings, say).
///
/// Large arrays of scalars or strings (vocabularies, merges) are not decoded when the file is
/// parsed: they stay as `.lazyArray`, a checked view of the mapped bytes, and are decoded on
/// use (`arrayValue`, `GGUFFile.strings`), which keeps a loaded model several MB smaller.
public enum GGUFValue: Sendable, Equatable {
    case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16)
    case uint32(UInt32), int32(Int32), float32(Float), bool(Bool), string(String)
    case uint64(UInt64), int64(Int64), float64(Double)
    /// An array: the declared element type and its values (all of that type).
    case array(GGUFValueType, [GGUFValue])
    /// A large array left in the file's bytes (already bounds-checked).
    case lazyArray(GGUFArrayView)

    public var type: GGUFValueType {
        switch self {
        case .uint8: return .uint8
        case .int8: return .int8
        case .uint16: return .uint16
        case .int16: return .int16
        case .uint32: return .uint32
        case .int32: return .int32
        case .float32: return .float32
        case .bool: return .bool
        case .string: return .string
        case .uint64: return .uint64
        case .int64: return .int64
        case .float64: return .float64
        case .array, .lazyArray: return .array
        }
    }

    /// Arrays as `.array`, decoding a lazy one; other values unchanged.
    public var decoded: GGUFValue {
        if case .lazyArray(let v) = self { return .array(v.elementType, v.decode()) }
        return self
    }

    /// Number of elements of an array value (without decoding it).
    public var arrayCount: Int? {
        switch self {
        case .array(_, let a): return a.count
        case .lazyArray(let v): return v.count
        default: return nil
        }
    }

    public static func == (a: GGUFValue, b: GGUFValue) -> Bool {
        switch (a.decoded, b.decoded) {
        case let (.uint8(x), .uint8(y)): return x == y
        case let (.int8(x), .int8(y)): return x == y
        case let (.uint16(x), .uint16(y)): return x == y
        case let (.int16(x), .int16(y)): return x == y
        case let (.uint32(x), .uint32(y)): return x == y
        case let (.int32(x), .int32(y)): return x == y
        case let (.float32(x), .float32(y)): return x.bitPattern == y.bitPattern
        case let (.bool(x), .bool(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.uint64(x), .uint64(y)): return x == y
        case let (.int64(x), .int64(y)): return x == y
        case let (.float64(x), .float64(y)): return x.bitPattern == y.bitPattern
        case let (.array(t, x), .array(u, y)): return t == u && x == y
        default: return false
        }
    }

    /// The value as an integer when it is any integer type (nil otherwise or when out of range).
    public var intValue: Int? {
        switch self {
        case .uint8(let v): return Int(v)
        case .int8(let v): return Int(v)
        case .uint16(let v): return Int(v)
        case .int16(let v): return Int(v)
        case .uint32(let v): return Int(v)
        case .int32(let v): return Int(v)
        case .uint64(let v): return Int(exactly: v)
        case .int64(let v): return Int(v)
        default: return nil
        }
    }

    /// The value as a Double when it is any numeric type.
    public var doubleValue: Double? {
        switch self {
        case .float32(let v): return Double(v)
        case .float64(let v): return v
        default: return intValue.map(Double.init)
        }
    }

    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var arrayValue: [GGUFValue]? {
        switch self {
        case .array(_, let a): return a
        case .lazyArray(let v): return v.decode()
        default: return nil
        }
    }
}

/// Value type tags as stored in the file.
public enum GGUFValueType: UInt32, Sendable {
    case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6
    case bool = 7, string = 8, array = 9, uint64 = 10, int64 = 11, float64 = 12

    /// Size in bytes of a fixed-size scalar; nil for strings and arrays.
    var scalarSize: Int? {
        switch self {
        case .uint8, .int8, .bool: return 1
        case .uint16, .int16: return 2
        case .uint32, .int32, .float32: return 4
        case .uint64, .int64, .float64: return 8
        case .string, .array: return nil
        }
    }
}
