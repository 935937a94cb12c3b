import Foundation
import KingletGGUF
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a `.ktok` shard document by document, streaming tokens to a temporary file beside the
/// destination; `finish()` writes the header and renames it into place, so a reader never sees a
/// half-written shard.
public final class TokenShardWriter {
    /// The destination (written by `finish()`).
    public let url: URL
    /// Vocabulary size V stored in the header; every token must be below it.
    public let vocabularySize: Int
    /// `tokenizerFingerprint` stored in the header.
    public let fingerprint: UInt64
    /// Tokens written so far.
    public private(set) var tokenCount = 0
    /// Documents written so far.
    public private(set) var documentCount = 0

    private let temporaryURL: URL
    private let handle: FileHandle
    private var buffer: [UInt8] = []   // encoded tokens not yet written
    private var finished = false
    private let width: Int

    /// Creates the temporary file next to `url`.
    public init(url: URL, vocabularySize: Int, fingerprint: UInt64) throws(TokenDataError) {
        precondition(vocabularySize > 0 && vocabularySize <= Int(Int32.max), "vocabulary size \(vocabularySize)")
        self.url = url
        self.vocabularySize = vocabularySize
        self.fingerprint = fingerprint
        width = TokenShardFormat.tokenWidth(vocabularySize: vocabularySize)
        temporaryURL = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0 ... .max)).tmp")
        let header = TokenShardFormat.header(vocabularySize: vocabularySize, tokenCount: 0, fingerprint: fingerprint, documentCount: 0)
        guard FileManager.default.createFile(atPath: temporaryURL.path, contents: Data(header)),
              let h = FileHandle(forWritingAtPath: temporaryURL.path) else {
            throw .file(FileError(url.path, .tokenShard, .cannotWrite("cannot create \(temporaryURL.lastPathComponent)")))
        }
        handle = h
        do { try handle.seekToEnd() } catch { throw .file(FileError(url.path, .tokenShard, .cannotWrite(error.localizedDescription))) }
        buffer.reserveCapacity(Self.flushBytes + 4 * 4096)
    }

    deinit {
        if !finished {
            try? handle.close()
            try? FileManager.default.removeItem(at: temporaryURL)
        }
    }

    static let flushBytes = 1 << 20

    /// Appends one document's tokens (each in `0 ..< vocabularySize`).
    public func appendDocument(_ tokens: [Int32]) throws(TokenDataError) {
        try append(tokens)
        documentCount += 1
    }

    /// Appends tokens without counting a document (a document split over several calls).
    public func append(_ tokens: [Int32]) throws(TokenDataError) {
        precondition(!finished, "append after finish")
        for t in tokens {
            precondition(t >= 0 && Int(t) < vocabularySize, "token \(t) outside the vocabulary of \(vocabularySize)")
            if width == 2 {
                withUnsafeBytes(of: UInt16(truncatingIfNeeded: t).littleEndian) { buffer.append(contentsOf: $0) }
            } else {
                withUnsafeBytes(of: UInt32(truncatingIfNeeded: t).littleEndian) { buffer.append(contentsOf: $0) }
            }
        }
        tokenCount += tokens.count
        if buffer.count >= Self.flushBytes { try flush() }
    }

    /// Counts one more document (after `append` calls that made it up).
    public func endDocument() { documentCount += 1 }

    private func flush() throws(TokenDataError) {
        guard !buffer.isEmpty else { return }
        do { try handle.write(contentsOf: buffer) } catch { throw .file(FileError(url.path, .tokenShard, .cannotWrite(error.localizedDescription))) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes the header and moves the shard into place (replacing an older file).
    public func finish() throws(TokenDataError) {
        precondition(!finished, "finish called twice")
        try flush()
        let header = TokenShardFormat.header(
            vocabularySize: vocabularySize, tokenCount: tokenCount, fingerprint: fingerprint, documentCount: documentCount)
        do {
            try handle.seek(toOffset: 0)
            try handle.write(contentsOf: header)
            try handle.close()
        } catch {
            throw .file(FileError(url.path, .tokenShard, .cannotWrite(error.localizedDescription)))
        }
        do { try DurableFile.move(temporaryURL.path, to: url.path) } catch {
            throw .file(FileError(url.path, .tokenShard, .cannotWrite(error.reason)))
        }
        finished = true
    }
}
