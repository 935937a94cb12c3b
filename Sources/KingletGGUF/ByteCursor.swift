/// A bounds-checked little-endian reader over untrusted bytes. Every read either succeeds inside
/// the buffer or throws `.truncated` naming the offset; nothing here can read out of bounds.
struct ByteCursor {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset: Int = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    mutating func require(_ n: Int, _ what: @autoclosure () -> String) throws(GGUFError) {
        guard n >= 0, n <= remaining else { throw .truncated(offset: offset, reading: what()) }
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type, _ what: @autoclosure () -> String) throws(GGUFError) -> T {
        try require(MemoryLayout<T>.size, what())
        let v = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += MemoryLayout<T>.size
        return T(littleEndian: v)
    }

    mutating func readFloat(_ what: @autoclosure () -> String) throws(GGUFError) -> Float {
        Float(bitPattern: try read(UInt32.self, what()))
    }

    mutating func readDouble(_ what: @autoclosure () -> String) throws(GGUFError) -> Double {
        Double(bitPattern: try read(UInt64.self, what()))
    }

    /// A GGUF string: u64 length then UTF-8 bytes (not NUL-terminated).
    mutating func readString(_ what: @autoclosure () -> String) throws(GGUFError) -> String {
        let start = offset
        let n = try read(UInt64.self, what())
        guard n <= UInt64(remaining) else { throw .truncated(offset: start, reading: what()) }
        let len = Int(n)
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset ..< offset + len])
        guard let s = String(validating: slice, as: UTF8.self) else {
            // Real vocabularies hold some invalid UTF-8 pieces; keep them decodable, losslessly
            // where possible, rather than refusing the file.
            offset += len
            return String(decoding: slice, as: UTF8.self)
        }
        offset += len
        return s
    }

    mutating func skip(to newOffset: Int, _ what: @autoclosure () -> String) throws(GGUFError) {
        guard newOffset >= offset, newOffset <= bytes.count else {
            throw .truncated(offset: offset, reading: what())
        }
        offset = newOffset
    }
}
