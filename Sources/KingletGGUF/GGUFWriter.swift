import Foundation

/// Builds a GGUF v3 file: metadata in insertion order, then tensors, each data block aligned.
///
/// Used to export trained models and, in tests, to make tiny synthetic models.
public struct GGUFWriter: Sendable {
    public private(set) var metadata: [(key: String, value: GGUFValue)] = []
    public private(set) var tensors: [(name: String, dims: [Int], type: GGMLType, data: [UInt8])] = []
    public var alignment: Int = 32

    public init() {}

    /// Sets a metadata value (replacing an earlier one with the same key).
    public mutating func set(_ key: String, _ value: GGUFValue) {
        if key == "general.alignment", let a = value.intValue { alignment = a }
        if let i = metadata.firstIndex(where: { $0.key == key }) {
            metadata[i].value = value
        } else {
            metadata.append((key, value))
        }
    }

    public mutating func set(_ key: String, _ value: String) { set(key, .string(value)) }
    public mutating func set(_ key: String, uint32 value: Int) { set(key, .uint32(UInt32(value))) }
    public mutating func set(_ key: String, float32 value: Float) { set(key, .float32(value)) }
    public mutating func set(_ key: String, strings: [String]) { set(key, .array(.string, strings.map { .string($0) })) }

    /// Adds a tensor from raw bytes already in `type`'s layout. `dims` innermost first.
    public mutating func addTensor(_ name: String, dims: [Int], type: GGMLType, bytes: [UInt8]) {
        precondition(type.byteCount(elements: dims.reduce(1, *)) == bytes.count,
                     "tensor \(name): \(bytes.count) bytes do not match \(dims) of \(type)")
        tensors.append((name, dims, type, bytes))
    }

    /// Adds an F32 tensor.
    public mutating func addTensor(_ name: String, dims: [Int], floats: [Float]) {
        let bytes = floats.withUnsafeBytes { Array($0) }
        addTensor(name, dims: dims, type: .f32, bytes: bytes)
    }

    /// The whole file as bytes.
    public func serialized() -> [UInt8] {
        var out = GGUFWriter.header(
            metadata: metadata, tensors: tensors.map { ($0.name, $0.dims, $0.type, $0.data.count) }, alignment: alignment)
        for t in tensors {
            out.append(contentsOf: t.data)
            out.append(contentsOf: repeatElement(0, count: GGUFWriter.padding(out.count, alignment)))
        }
        return out
    }

    /// Zero bytes that bring `count` up to a multiple of `alignment`.
    public static func padding(_ count: Int, _ alignment: Int) -> Int { (alignment - count % alignment) % alignment }

    /// A GGUF v3 header: magic, counts, `metadata` in order, the tensor infos (each data offset
    /// the aligned sum of the sizes before it), padded to `alignment` so tensor data follows.
    public static func header(
        metadata: [(key: String, value: GGUFValue)], tensors: [(name: String, dims: [Int], type: GGMLType, byteCount: Int)],
        alignment: Int
    ) -> [UInt8] {
        var out: [UInt8] = []
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func putString(_ s: String) { let u = Array(s.utf8); put(UInt64(u.count)); out.append(contentsOf: u) }
        func putValue(_ v: GGUFValue) {
            switch v {
            case .uint8(let x): put(x)
            case .int8(let x): put(x)
            case .uint16(let x): put(x)
            case .int16(let x): put(x)
            case .uint32(let x): put(x)
            case .int32(let x): put(x)
            case .uint64(let x): put(x)
            case .int64(let x): put(x)
            case .float32(let x): put(x.bitPattern)
            case .float64(let x): put(x.bitPattern)
            case .bool(let b): put(UInt8(b ? 1 : 0))
            case .string(let s): putString(s)
            case .array(let t, let values):
                put(t.rawValue)
                put(UInt64(values.count))
                for e in values { putValue(e) }
            case .lazyArray(let view):
                put(view.elementType.rawValue)
                put(UInt64(view.count))
                out.append(contentsOf: view.bytes)
            }
        }
        put(UInt32(0x4655_4747))
        put(UInt32(3))
        put(UInt64(tensors.count))
        put(UInt64(metadata.count))
        for (k, v) in metadata {
            putString(k)
            put(v.type.rawValue)
            putValue(v)
        }
        var offset = 0
        for t in tensors {
            putString(t.name)
            put(UInt32(t.dims.count))
            for d in t.dims { put(UInt64(d)) }
            put(t.type.rawValue)
            put(UInt64(offset))
            offset += t.byteCount + padding(t.byteCount, alignment)
        }
        out.append(contentsOf: repeatElement(0, count: padding(out.count, alignment)))
        return out
    }

    /// Writes the file durably (`DurableFile`: a temporary file, flushed, renamed into place).
    public func write(to path: String) throws(GGUFError) {
        do { try DurableFile.write(serialized(), to: path) } catch {
            throw .cannotWrite(path: error.path, reason: error.reason)
        }
    }
}
