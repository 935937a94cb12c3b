import Foundation
import KingletGGUF
import KingletKernels
import KingletTokenizer

/// Writes a Kinglet logits file (`LogitsFileHeader`) chunk by chunk, as a perplexity run hands
/// over each chunk's scored logits; the file appears under its name only once complete (it is
/// written beside it and renamed by `finish`).
public final class LogitsFileWriter {
    public let path: String
    public let header: LogitsFileHeader
    private let partialPath: String
    private let handle: FileHandle
    private var chunksWritten = 0

    /// Creates the file and writes the header and the plan's tokens.
    public init(path: String, header: LogitsFileHeader, tokens: [Int32]) throws(MicroscopeError) {
        precondition(tokens.count >= header.chunkCount * header.context, "fewer tokens than the header's chunks")
        self.path = path
        self.header = header
        partialPath = path + ".partial"
        guard FileManager.default.createFile(atPath: partialPath, contents: nil),
              let handle = FileHandle(forWritingAtPath: partialPath) else {
            throw .file(FileError(partialPath, .logits, .cannotWrite("cannot create the file")))
        }
        self.handle = handle
        var bytes = header.encoded()
        for t in tokens.prefix(header.chunkCount * header.context) { bytes += t.littleEndianBytes }
        try write(Data(bytes))
    }

    /// The header a file saved from `text` with `engine`'s model under `plan` carries.
    public static func header(engine: Engine, text: String, plan: ChunkPlan, storage: LogitsFileHeader.Storage) throws(MicroscopeError) -> LogitsFileHeader {
        let v = engine.config.vocabularySize
        if case .topK(let k) = storage, !(1 ... v).contains(k) { throw .invalidTopK(k: k, vocabulary: v) }
        let name = engine.gguf.metadata["general.name"]?.stringValue ?? URL(fileURLWithPath: engine.path).lastPathComponent
        return LogitsFileHeader(storage: storage, context: plan.context, vocabularySize: v, chunkCount: plan.chunkCount, modelName: name,
                                textDigest: Digests.sha256(Array(text.utf8)), vocabularyDigest: vocabularyDigest(engine.tokenizer))
    }

    /// SHA-256 of the vocabulary: every token's text, each followed by a zero byte.
    public static func vocabularyDigest(_ tokenizer: Tokenizer) -> [UInt8] {
        var bytes: [UInt8] = []
        for id in 0 ..< tokenizer.vocabularySize {
            bytes += Array((tokenizer.tokenText(Int32(id)) ?? "").utf8)
            bytes.append(0)
        }
        return Digests.sha256(bytes)
    }

    /// Appends the next chunk's rows, encoded on `pool`'s threads.
    public func append(_ chunk: ChunkLogits, pool: ThreadPool) throws(MicroscopeError) {
        precondition(chunk.chunk == chunksWritten && chunk.targets.count == header.rowsPerChunk, "chunks out of order")
        let rowBytes = header.rowBytes, rows = header.rowsPerChunk, storage = header.storage
        var data = Data(count: rows * rowBytes)
        let ok = data.withUnsafeMutableBytes { out in
            pool.mapRows(rows) { p in
                chunk.withRow(p) { row in
                    let dst = UnsafeMutableRawBufferPointer(rebasing: out[p * rowBytes ..< (p + 1) * rowBytes])
                    switch storage {
                    case .full: QuantizedLogProbs.encode(row, into: dst); return true
                    case .topK(let k): return TopKLogProbs.encode(row, target: Int(chunk.targets[p]), k: k, into: dst)
                    }
                }
            }
        }
        if let bad = ok.firstIndex(of: false) {
            throw .model("the logits at row \(bad) of chunk \(chunk.chunk) are not finite")
        }
        try write(data)
        chunksWritten += 1
    }

    /// Closes the file and gives it its name; refuses a file missing chunks.
    public func finish() throws(MicroscopeError) {
        do { try handle.close() } catch { throw .file(FileError(partialPath, .logits, .cannotWrite("\(error)"))) }
        guard chunksWritten == header.chunkCount else {
            try? FileManager.default.removeItem(atPath: partialPath)
            throw .file(FileError(path, .logits, .cannotWrite("only \(chunksWritten) of \(header.chunkCount) chunks were written")))
        }
        do {
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: partialPath, toPath: path)
        } catch {
            throw .file(FileError(path, .logits, .cannotWrite("cannot rename the finished file: \(error.localizedDescription)")))
        }
    }

    /// Closes and deletes the unfinished file (a run that failed or was cancelled).
    public func discard() {
        try? handle.close()
        try? FileManager.default.removeItem(atPath: partialPath)
    }

    private func write(_ data: Data) throws(MicroscopeError) {
        do { try handle.write(contentsOf: data) } catch { throw .file(FileError(partialPath, .logits, .cannotWrite("\(error.localizedDescription)"))) }
    }
}
