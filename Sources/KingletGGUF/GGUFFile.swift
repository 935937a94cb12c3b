/// Description of one tensor in a GGUF file.
public struct GGUFTensorInfo: Sendable, Equatable {
    public let name: String
    /// Dimensions, innermost first as ggml stores them: `[cols, rows, ...]`.
    public let dims: [Int]
    public let type: GGMLType
    /// Offset of the data from the start of the tensor-data section.
    public let offset: Int
    /// Bytes of data.
    public let byteCount: Int

    public var elementCount: Int { dims.reduce(1, *) }

    public init(name: String, dims: [Int], type: GGMLType, offset: Int, byteCount: Int) {
        self.name = name
        self.dims = dims
        self.type = type
        self.offset = offset
        self.byteCount = byteCount
    }
}

/// A zero-copy view of a tensor's bytes inside a mapped file.
public struct GGUFTensor: @unchecked Sendable {
    public let info: GGUFTensorInfo
    /// The tensor's raw bytes (valid while the owning `GGUFFile` lives).
    public let data: UnsafeRawBufferPointer
    public var name: String { info.name }
    public var type: GGMLType { info.type }
    public var dims: [Int] { info.dims }
}

/// A parsed GGUF file: header, metadata and tensor directory, with tensor data memory-mapped.
///
/// Parsing treats the file as hostile: every count, length and offset is checked against the file
/// size before use, so a truncated or corrupt file throws a `GGUFError` naming the offset or key.
public final class GGUFFile: @unchecked Sendable {
    public let version: UInt32
    /// Metadata in file order.
    public let metadataKeys: [String]
    public let metadata: [String: GGUFValue]
    public let tensorInfos: [GGUFTensorInfo]
    public let alignment: Int
    /// Offset of the tensor-data section from the start of the file.
    public let dataOffset: Int
    public let path: String?

    private let storage: AnyObject?  // keeps the mapping alive
    private let bytes: UnsafeRawBufferPointer
    /// The whole file as read (header, metadata, tensor data); valid while this object lives.
    /// Tensors are not views of it when their data was copied (`tensorPlacement`): read them
    /// through `tensorData`.
    public var fileBytes: UnsafeRawBufferPointer { bytes }
    /// The tensor-data section (the file from `dataOffset` on), where the tensors are views.
    public private(set) var tensorData: UnsafeRawBufferPointer
    /// Where `tensorData` lives (`.fileMapping` when huge pages were asked for but not had).
    public var tensorPlacement: MappedFile.Placement { tensorCopy == nil ? .fileMapping : .hugePages }
    private var tensorCopy: AnyObject?  // keeps a huge-page copy of the tensor data alive
    private let tensorIndex: [String: Int]

    /// Deepest array nesting accepted; real files use one level (two for some merges formats).
    static let maxArrayDepth = 8

    /// Opens and memory-maps `path`; with `.hugePages` the tensor data is then copied onto huge
    /// pages (see `MappedFile.Placement`).
    public convenience init(path: String, placement: MappedFile.Placement = .fileMapping) throws(GGUFError) {
        let mapped = try MappedFile(path: path)
        try self.init(bytes: mapped.bytes, owner: mapped, path: path)
        #if canImport(Glibc)
        if placement == .hugePages, let copy = HugePageCopy(of: mapped, range: dataOffset ..< mapped.bytes.count) {
            tensorData = copy.bytes
            tensorCopy = copy
        }
        #endif
    }

    /// Lets the kernel drop the header's pages (metadata: vocabulary, merges, chat template) when
    /// the file is mapped: for a model whose tokenizer and configuration are built, which reads
    /// them rarely after (a later read faults them back in from the page cache). 1.7 MB for
    /// SmolLM2's 49k vocabulary, 6.2 MB for Gemma 3's 262k.
    public func releaseHeaderPages() {
        (storage as? MappedFile)?.releasePages(0 ..< dataOffset)
    }

    /// Parses GGUF bytes already in memory. `owner` is retained for as long as this file lives.
    public init(bytes: UnsafeRawBufferPointer, owner: AnyObject?, path: String? = nil) throws(GGUFError) {
        self.bytes = bytes
        self.storage = owner
        self.path = path
        var c = ByteCursor(bytes)

        let magic = try c.read(UInt32.self, "magic")
        guard magic == 0x4655_4747 else { throw .badMagic(found: magic) }  // "GGUF" little-endian
        version = try c.read(UInt32.self, "version")
        guard version == 2 || version == 3 else { throw .unsupportedVersion(version) }
        let tensorCountOffset = c.offset
        let tensorCount = try c.read(UInt64.self, "tensor count")
        let kvCountOffset = c.offset
        let kvCount = try c.read(UInt64.self, "metadata count")
        // Each KV needs at least 8 (key length) + 4 (type) bytes, each tensor at least 8+4+8+4.
        guard kvCount <= UInt64(c.remaining / 12) else {
            throw .invalid(offset: kvCountOffset, what: "metadata count \(kvCount) exceeds what the file can hold")
        }
        guard tensorCount <= UInt64(c.remaining / 24) else {
            throw .invalid(offset: tensorCountOffset, what: "tensor count \(tensorCount) exceeds what the file can hold")
        }

        var keys: [String] = []
        var meta: [String: GGUFValue] = [:]
        keys.reserveCapacity(Int(kvCount))
        for i in 0 ..< Int(kvCount) {
            let keyOffset = c.offset
            let key = try c.readString("key of metadata entry \(i)")
            let tag = try c.read(UInt32.self, "type of '\(key)'")
            guard let type = GGUFValueType(rawValue: tag) else {
                throw .invalid(offset: keyOffset, what: "metadata '\(key)' has unknown value type \(tag)")
            }
            let value = try Self.readValue(&c, type: type, key: key, depth: 0, owner: owner)
            if meta[key] != nil {
                throw .invalid(offset: keyOffset, what: "duplicate metadata key '\(key)'")
            }
            keys.append(key)
            meta[key] = value
        }
        metadataKeys = keys
        metadata = meta

        var align = 32
        if let a = meta["general.alignment"] {
            guard let v = a.intValue, v > 0, v & (v - 1) == 0, v <= 1 << 20 else {
                throw .invalid(offset: 0, what: "general.alignment must be a power of two, got \(a)")
            }
            align = v
        }
        alignment = align

        var infos: [GGUFTensorInfo] = []
        infos.reserveCapacity(Int(tensorCount))
        var index: [String: Int] = [:]
        for i in 0 ..< Int(tensorCount) {
            let infoOffset = c.offset
            let name = try c.readString("name of tensor \(i)")
            let nDims = try c.read(UInt32.self, "dimension count of '\(name)'")
            guard nDims >= 1, nDims <= 4 else {
                throw .invalid(offset: infoOffset, what: "tensor '\(name)' has \(nDims) dimensions (1...4 allowed)")
            }
            var dims: [Int] = []
            var elements = 1
            for d in 0 ..< Int(nDims) {
                let n = try c.read(UInt64.self, "dimension \(d) of '\(name)'")
                guard n <= UInt64(Int32.max) else {
                    throw .invalid(offset: infoOffset, what: "tensor '\(name)' dimension \(d) is \(n)")
                }
                let (prod, overflow) = elements.multipliedReportingOverflow(by: Int(n))
                guard !overflow, prod <= bytes.count * 8 else {
                    throw .invalid(offset: infoOffset, what: "tensor '\(name)' is larger than the file")
                }
                elements = prod
                dims.append(Int(n))
            }
            let tag = try c.read(UInt32.self, "type of '\(name)'")
            guard let type = GGMLType(rawValue: tag) else {
                throw .badTensor(name: name, reason: "unknown tensor type \(tag)")
            }
            guard dims[0] % type.blockSize == 0, let byteCount = type.byteCount(elements: elements) else {
                throw .badTensor(name: name, reason: "row of \(dims[0]) elements is not a whole number of \(type) blocks")
            }
            let off = try c.read(UInt64.self, "offset of '\(name)'")
            guard off <= UInt64(bytes.count), Int(off) % align == 0 else {
                throw .badTensor(name: name, reason: "data offset \(off) is out of range or not \(align)-aligned")
            }
            guard index[name] == nil else {
                throw .invalid(offset: infoOffset, what: "duplicate tensor name '\(name)'")
            }
            index[name] = infos.count
            infos.append(GGUFTensorInfo(name: name, dims: dims, type: type, offset: Int(off), byteCount: byteCount))
        }
        tensorInfos = infos
        tensorIndex = index

        // The data section starts at the next multiple of the alignment.
        let start = (c.offset + align - 1) / align * align
        if infos.isEmpty {
            dataOffset = min(start, bytes.count)
        } else {
            guard start <= bytes.count else { throw .truncated(offset: c.offset, reading: "tensor data") }
            dataOffset = start
        }
        for info in infos {
            let (end, overflow) = (dataOffset + info.offset).addingReportingOverflow(info.byteCount)
            guard !overflow, end <= bytes.count else {
                throw .truncated(offset: dataOffset + info.offset, reading: "data of tensor '\(info.name)' (\(info.byteCount) bytes)")
            }
        }
        tensorData = UnsafeRawBufferPointer(rebasing: bytes[dataOffset...])
    }

    /// One scalar or string element (used to decode lazy arrays).
    static func readScalarOrString(_ c: inout ByteCursor, type: GGUFValueType) throws(GGUFError) -> GGUFValue {
        try readValue(&c, type: type, key: "array element", depth: maxArrayDepth, owner: nil)
    }

    private static func readValue(_ c: inout ByteCursor, type: GGUFValueType, key: String, depth: Int,
                                  owner: AnyObject?) throws(GGUFError) -> GGUFValue {
        switch type {
        case .uint8: return .uint8(try c.read(UInt8.self, "'\(key)'"))
        case .int8: return .int8(try c.read(Int8.self, "'\(key)'"))
        case .uint16: return .uint16(try c.read(UInt16.self, "'\(key)'"))
        case .int16: return .int16(try c.read(Int16.self, "'\(key)'"))
        case .uint32: return .uint32(try c.read(UInt32.self, "'\(key)'"))
        case .int32: return .int32(try c.read(Int32.self, "'\(key)'"))
        case .uint64: return .uint64(try c.read(UInt64.self, "'\(key)'"))
        case .int64: return .int64(try c.read(Int64.self, "'\(key)'"))
        case .float32: return .float32(try c.readFloat("'\(key)'"))
        case .float64: return .float64(try c.readDouble("'\(key)'"))
        case .bool:
            let at = c.offset
            let b = try c.read(UInt8.self, "'\(key)'")
            guard b <= 1 else { throw .invalid(offset: at, what: "'\(key)' is a bool with value \(b)") }
            return .bool(b == 1)
        case .string: return .string(try c.readString("'\(key)'"))
        case .array:
            let at = c.offset
            guard depth < maxArrayDepth else { throw .invalid(offset: at, what: "'\(key)' nests arrays too deeply") }
            let tag = try c.read(UInt32.self, "element type of '\(key)'")
            guard let elem = GGUFValueType(rawValue: tag) else {
                throw .invalid(offset: at, what: "'\(key)' is an array of unknown type \(tag)")
            }
            let countAt = c.offset
            let count = try c.read(UInt64.self, "length of '\(key)'")
            let minSize = UInt64(elem.scalarSize ?? 8)  // strings and arrays take ≥ 8 bytes each
            guard count <= UInt64(c.remaining) / minSize else {
                throw .truncated(offset: countAt, reading: "array '\(key)' of \(count) elements")
            }
            if elem != .array, count >= UInt64(GGUFArrayView.lazyThreshold) {
                // Walk the elements to check their bounds, but keep them as bytes.
                let start = c.offset
                if let size = elem.scalarSize {
                    try c.skip(to: start + Int(count) * size, "array '\(key)'")
                } else {
                    for _ in 0 ..< Int(count) {
                        let at = c.offset
                        let n = try c.read(UInt64.self, "string in '\(key)'")
                        guard n <= UInt64(c.remaining) else { throw .truncated(offset: at, reading: "string in '\(key)'") }
                        try c.skip(to: c.offset + Int(n), "string in '\(key)'")
                    }
                }
                let view = GGUFArrayView(elementType: elem, count: Int(count),
                                         bytes: UnsafeRawBufferPointer(rebasing: c.bytes[start ..< c.offset]), owner: owner)
                return .lazyArray(view)
            }
            var values: [GGUFValue] = []
            values.reserveCapacity(Int(count))
            for _ in 0 ..< Int(count) {
                values.append(try readValue(&c, type: elem, key: key, depth: depth + 1, owner: owner))
            }
            return .array(elem, values)
        }
    }

    // MARK: - Access

    /// The tensor named `name`, as a zero-copy view.
    public func tensor(_ name: String) throws(GGUFError) -> GGUFTensor {
        guard let i = tensorIndex[name] else { throw .missingTensor(name) }
        return tensor(at: i)
    }

    /// The tensor named `name`, or nil if the file has none.
    public func tensorIfPresent(_ name: String) -> GGUFTensor? {
        tensorIndex[name].map { tensor(at: $0) }
    }

    private func tensor(at i: Int) -> GGUFTensor {
        let info = tensorInfos[i]
        return GGUFTensor(info: info, data: UnsafeRawBufferPointer(rebasing: tensorData[info.offset ..< info.offset + info.byteCount]))
    }

    /// The architecture name (`general.architecture`).
    public var architecture: String? { metadata["general.architecture"]?.stringValue }

    public func int(_ key: String) throws(GGUFError) -> Int {
        guard let v = metadata[key]?.intValue else { throw .missingKey(key, expected: "an integer") }
        return v
    }

    public func float(_ key: String) throws(GGUFError) -> Double {
        guard let v = metadata[key]?.doubleValue else { throw .missingKey(key, expected: "a number") }
        return v
    }

    public func string(_ key: String) throws(GGUFError) -> String {
        guard let v = metadata[key]?.stringValue else { throw .missingKey(key, expected: "a string") }
        return v
    }

    /// An array of strings (token lists, merges).
    public func strings(_ key: String) throws(GGUFError) -> [String] {
        if case .lazyArray(let view)? = metadata[key], let s = view.strings() { return s }
        return try array(key, expected: "an array of strings") { $0.stringValue }
    }

    /// An array of integers (token types).
    public func ints(_ key: String) throws(GGUFError) -> [Int] {
        try array(key, expected: "an array of integers") { $0.intValue }
    }

    /// The array at `key`, each element read by `element`; `missingKey` when there is none or
    /// an element does not read.
    private func array<T>(_ key: String, expected: String, _ element: (GGUFValue) -> T?) throws(GGUFError) -> [T] {
        guard let a = metadata[key]?.arrayValue else { throw .missingKey(key, expected: expected) }
        var out: [T] = []
        out.reserveCapacity(a.count)
        for v in a {
            guard let e = element(v) else { throw .missingKey(key, expected: expected) }
            out.append(e)
        }
        return out
    }
}
