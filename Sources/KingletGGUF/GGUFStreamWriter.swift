import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a GGUF v3 file tensor by tensor, for files too large to build in memory (`GGUFWriter`
/// holds every tensor). The header is written first from the tensors' declared sizes; each
/// `append` must then bring exactly the next tensor's bytes, in order. Everything goes to a
/// temporary file beside `path` that `finish` renames into place, so a crash or a cancelled run
/// never leaves a partial file under the final name (`discard` removes the temporary file).
public final class GGUFStreamWriter {
    public let path: String
    /// The temporary file written until `finish`.
    public let temporaryPath: String
    private let tensors: [(name: String, dims: [Int], type: GGMLType, byteCount: Int)]
    private let alignment: Int
    private var handle: FileHandle?
    private var next = 0
    private var tensorBytesLeft = 0

    /// Creates the temporary file and writes the header. `alignment` must be a power of two
    /// (GGUF's default is 32; pass the input's `general.alignment` when copying a file).
    public init(
        path: String, metadata: [(key: String, value: GGUFValue)],
        tensors: [(name: String, dims: [Int], type: GGMLType, byteCount: Int)], alignment: Int = 32
    ) throws(GGUFError) {
        precondition(alignment > 0 && alignment & (alignment - 1) == 0, "alignment \(alignment) is not a power of two")
        self.path = path
        self.tensors = tensors
        self.alignment = alignment
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        temporaryPath = (directory.isEmpty ? "" : directory + "/") + ".\(name).partial-\(getpid())"
        guard FileManager.default.createFile(atPath: temporaryPath, contents: nil),
              let h = FileHandle(forWritingAtPath: temporaryPath) else {
            throw .cannotWrite(path: temporaryPath, reason: "cannot create the file: \(String(cString: strerror(errno)))")
        }
        handle = h
        tensorBytesLeft = tensors.first?.byteCount ?? 0
        try write(GGUFWriter.header(metadata: metadata, tensors: tensors, alignment: alignment))
    }

    deinit { discard() }

    /// Appends bytes of the current tensor (a tensor may come in several pieces); when its last
    /// byte arrives, pads to the alignment and moves to the next tensor.
    public func append(_ bytes: UnsafeRawBufferPointer) throws(GGUFError) {
        precondition(next < tensors.count, "all \(tensors.count) tensors are already written")
        precondition(bytes.count <= tensorBytesLeft, "tensor '\(tensors[next].name)': \(bytes.count) bytes more than declared")
        try write(bytes)
        tensorBytesLeft -= bytes.count
        guard tensorBytesLeft == 0 else { return }
        let size = tensors[next].byteCount
        try write([UInt8](repeating: 0, count: GGUFWriter.padding(size, alignment)))
        next += 1
        if next < tensors.count { tensorBytesLeft = tensors[next].byteCount }
    }

    /// Closes the file and renames it to `path` (replacing any file there).
    public func finish() throws(GGUFError) {
        precondition(next == tensors.count, "only \(next) of \(tensors.count) tensors were written")
        guard let h = handle else { return }
        handle = nil
        do { try h.close() } catch {
            unlink(temporaryPath)
            throw .cannotWrite(path: temporaryPath, reason: "cannot finish: \(error.localizedDescription)")
        }
        do { try DurableFile.move(temporaryPath, to: path) } catch {
            unlink(temporaryPath)  // the path keeps the file it had
            throw .cannotWrite(path: error.path, reason: error.reason)
        }
    }

    /// Closes and removes the temporary file (after an error or a cancellation); the final path
    /// is left as it was. Does nothing after `finish`.
    public func discard() {
        guard let h = handle else { return }
        try? h.close()
        handle = nil
        unlink(temporaryPath)
    }

    private func write(_ bytes: [UInt8]) throws(GGUFError) {
        let result: Result<Void, GGUFError> = bytes.withUnsafeBytes { b in
            do throws(GGUFError) { try write(b); return .success(()) } catch { return .failure(error) }
        }
        try result.get()
    }

    private func write(_ bytes: UnsafeRawBufferPointer) throws(GGUFError) {
        guard let h = handle, !bytes.isEmpty else { return }
        do {
            try h.write(contentsOf: Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: bytes.baseAddress!), count: bytes.count, deallocator: .none))
        } catch {
            throw .cannotWrite(path: temporaryPath, reason: "\(error.localizedDescription)")
        }
    }
}
