import Foundation

/// The safetensors format, written and read without a dependency:
///
///     u64 little-endian  N, the header's length in bytes
///     N bytes            JSON: {"__metadata__": {str: str}, NAME: {"dtype": "F32", "shape": [..],
///                        "data_offsets": [begin, end]}, ...}, padded with spaces to a multiple of 8
///     data               the tensors' bytes, little-endian, row-major, back to back; offsets are
///                        relative to the data's start
///
/// The writer streams each tensor's bytes (a dataset's export need not fit in memory) and checks
/// that every tensor got exactly the bytes its shape asks for.
public enum Safetensors {
    /// Element types used here.
    public enum DType: String, Sendable, Codable {
        case f32 = "F32", i32 = "I32", i64 = "I64", u8 = "U8"

        public var size: Int {
            switch self {
            case .f32, .i32: return 4
            case .i64: return 8
            case .u8: return 1
            }
        }
    }

    /// A tensor's name, type and shape (and, read back, where its bytes are).
    public struct TensorInfo: Sendable, Equatable {
        public var name: String
        public var dtype: DType
        public var shape: [Int]
        /// Byte range in the data section.
        public var offsets: Range<Int>

        public init(name: String, dtype: DType, shape: [Int]) {
            self.name = name
            self.dtype = dtype
            self.shape = shape
            offsets = 0 ..< 0
        }

        public var byteCount: Int { shape.reduce(dtype.size, *) }
    }

    /// The header's bytes (length prefix included) for tensors laid out in the order given.
    public static func header(_ tensors: [TensorInfo], metadata: [String: String]) throws(TeacherDataExportError) -> [UInt8] {
        var seen = Set<String>()
        var fields: [String] = []
        func quoted(_ s: String) -> String { String(decoding: (try? JSONEncoder().encode(s)) ?? Data("\"\"".utf8), as: UTF8.self) }
        if !metadata.isEmpty {
            fields.append("\"__metadata__\":{" + metadata.sorted { $0.key < $1.key }.map { quoted($0.key) + ":" + quoted($0.value) }
                .joined(separator: ",") + "}")
        }
        var offset = 0
        for t in tensors {
            guard !t.name.isEmpty, t.name != "__metadata__", seen.insert(t.name).inserted else {
                throw .invalid(what: "tensor name '\(t.name)'", reason: "names must be non-empty, unique and not __metadata__")
            }
            guard t.shape.allSatisfy({ $0 >= 0 }) else { throw .invalid(what: "tensor \(t.name)", reason: "negative dimension in \(t.shape)") }
            let end = offset + t.byteCount
            fields.append(quoted(t.name) + ":{\"dtype\":\"\(t.dtype.rawValue)\",\"shape\":[" + t.shape.map(String.init).joined(separator: ",")
                          + "],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var json = Array(("{" + fields.joined(separator: ",") + "}").utf8)
        while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }
        var out: [UInt8] = []
        for s in stride(from: 0, to: 64, by: 8) { out.append(UInt8(truncatingIfNeeded: UInt64(json.count) >> UInt64(s))) }
        return out + json
    }

    /// Writes a file: the header, then each tensor's bytes as `body(index, write)` hands them
    /// over. Throws when a tensor's bytes do not add up to its shape.
    public static func write(to url: URL, tensors: [TensorInfo], metadata: [String: String],
                             body: (Int, (UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        let head = try header(tensors, metadata: metadata)
        guard FileManager.default.createFile(atPath: url.path, contents: Data(head)), let handle = try? FileHandle(forWritingTo: url) else {
            throw TeacherDataExportError.io(path: url.path, reason: "cannot create the file")
        }
        defer { try? handle.close() }
        try handle.seekToEnd()
        for (i, t) in tensors.enumerated() {
            var written = 0
            try body(i) { bytes in
                written += bytes.count
                try handle.write(contentsOf: Data(bytes))
            }
            guard written == t.byteCount else {
                throw TeacherDataExportError.invalid(what: "tensor \(t.name)", reason: "\(written) bytes written for shape \(t.shape) (\(t.byteCount) expected)")
            }
        }
    }

    /// The tensors and metadata of a file's header (`bytes`: at least the header), with the
    /// checks a reader makes: the length fits, the JSON is an object of well-formed entries,
    /// every tensor's range matches its shape and lies in the file.
    public static func readHeader(_ bytes: [UInt8], fileSize: Int? = nil) throws(TeacherDataExportError) -> (tensors: [TensorInfo], metadata: [String: String]) {
        guard bytes.count >= 8 else { throw .invalid(what: "safetensors file", reason: "shorter than the 8-byte length") }
        let n = (0 ..< 8).reduce(UInt64(0)) { $0 | UInt64(bytes[$1]) << UInt64(8 * $1) }
        guard n <= UInt64(bytes.count - 8) else { throw .invalid(what: "safetensors header", reason: "length \(n) runs past the file") }
        let json = Data(bytes[8 ..< 8 + Int(n)])
        guard let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any] else {
            throw .invalid(what: "safetensors header", reason: "not a JSON object")
        }
        let dataSize = (fileSize ?? bytes.count) - 8 - Int(n)
        var metadata: [String: String] = [:]
        var tensors: [TensorInfo] = []
        for (name, value) in object {
            if name == "__metadata__" {
                guard let m = value as? [String: String] else { throw .invalid(what: "__metadata__", reason: "not a map of strings") }
                metadata = m
                continue
            }
            guard let entry = value as? [String: Any], let d = entry["dtype"] as? String, let dtype = DType(rawValue: d),
                  let shape = entry["shape"] as? [Int], let o = entry["data_offsets"] as? [Int], o.count == 2 else {
                throw .invalid(what: "tensor \(name)", reason: "needs dtype (F32, I32, I64, U8), shape and data_offsets")
            }
            var t = TensorInfo(name: name, dtype: dtype, shape: shape)
            guard o[0] >= 0, o[0] <= o[1], o[1] - o[0] == t.byteCount, o[1] <= dataSize else {
                throw .invalid(what: "tensor \(name)", reason: "data_offsets \(o) do not fit shape \(shape) in \(dataSize) data bytes")
            }
            t.offsets = o[0] ..< o[1]
            tensors.append(t)
        }
        return (tensors.sorted { ($0.offsets.lowerBound, $0.offsets.upperBound) < ($1.offsets.lowerBound, $1.offsets.upperBound) }, metadata)
    }
}

/// Errors exporting teacher data.
public enum TeacherDataExportError: Error, LocalizedError, Sendable, Equatable {
    case invalid(what: String, reason: String)
    case io(path: String, reason: String)
    case unsupportedFormat(String, supported: [String])

    public var errorDescription: String? {
        switch self {
        case let .invalid(what, reason): return "\(what) is invalid: \(reason)."
        case let .io(path, reason): return "\(path): \(reason). Check the path and its permissions."
        case let .unsupportedFormat(name, supported):
            return "unknown export format '\(name)'. Formats: \(supported.joined(separator: ", "))."
        }
    }
}
