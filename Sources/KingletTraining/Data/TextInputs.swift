import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One input file found under the paths given to `TokenShardBuilder`.
struct TextSource: Sendable {
    let url: URL
    /// Stable name used for the validation split: the input's own name, then the path below it
    /// (`corpus/books/a.txt`), independent of where the corpus lives on disk.
    let relativePath: String
    let byteCount: Int
    var isGzip: Bool { url.pathExtension.lowercased() == "gz" }
}

/// What reading one file gave.
enum TextContent: Sendable {
    case text(String)
    case binary    // NUL bytes or invalid UTF-8
    case empty
}

enum TextInputs {
    /// Every regular file under `inputs` (folders recursively, hidden entries skipped), each
    /// input's files sorted by relative path, inputs in the order given.
    static func discover(_ inputs: [URL]) throws(TokenDataError) -> [TextSource] {
        let fm = FileManager.default
        var out: [TextSource] = []
        for input in inputs {
            let root = input.standardizedFileURL
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: root.path, isDirectory: &isDirectory) else {
                throw .cannotOpen(path: input.path, reason: "no such file or folder")
            }
            guard isDirectory.boolValue else {
                out.append(TextSource(url: root, relativePath: root.lastPathComponent, byteCount: size(of: root)))
                continue
            }
            guard let walker = fm.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey],
                                             options: [.skipsHiddenFiles]) else {
                throw .cannotOpen(path: input.path, reason: "cannot list the folder")
            }
            var found: [TextSource] = []
            let prefix = root.path.hasSuffix("/") ? root.path : root.path + "/"
            for case let url as URL in walker {
                let file = url.standardizedFileURL
                var isDir: ObjCBool = false
                guard fm.fileExists(atPath: file.path, isDirectory: &isDir), !isDir.boolValue else { continue }
                let below = file.path.hasPrefix(prefix) ? String(file.path.dropFirst(prefix.count)) : file.lastPathComponent
                found.append(TextSource(url: file, relativePath: root.lastPathComponent + "/" + below, byteCount: size(of: file)))
            }
            out += found.sorted { $0.relativePath.utf8.lexicographicallyPrecedes($1.relativePath.utf8) }
        }
        return out
    }

    private static func size(of url: URL) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// The file's text: `.gz` files through `gzip -dc`; files with NUL bytes or invalid UTF-8
    /// are `.binary`.
    static func read(_ source: TextSource) throws(TokenDataError) -> TextContent {
        let data: Data
        if source.isGzip {
            data = try gunzip(source.url)
        } else {
            do { data = try Data(contentsOf: source.url, options: .mappedIfSafe) } catch {
                throw .cannotOpen(path: source.url.path, reason: error.localizedDescription)
            }
        }
        if data.isEmpty { return .empty }
        let hasNUL = data.withUnsafeBytes { memchr($0.baseAddress!, 0, $0.count) != nil }
        guard !hasNUL, let text = validUTF8(data) else { return .binary }
        return .text(text)
    }

    /// The text when `data` is valid UTF-8, else nil (no replacement characters).
    static func validUTF8(_ data: Data) -> String? {
        if #available(macOS 15, *) { return String(validating: data, as: UTF8.self) }
        var decoder = Unicode.UTF8()
        var iterator = data.makeIterator()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return String(decoding: data, as: UTF8.self)
            case .error: return nil
            }
        }
    }

    /// The most one compressed input may expand to: a few bytes of a hostile `.gz` can claim
    /// terabytes (a decompression bomb); training text is read whole, so it must fit in memory.
    static let maxDecompressedBytes = 4 << 30

    /// Decompresses with the system's `gzip` (no compression library needed), stopping it once
    /// the output passes `limit` bytes.
    static func gunzip(_ url: URL, limit: Int = maxDecompressedBytes) throws(TokenDataError) -> Data {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["gzip", "-dc", "--", url.path]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        do { try p.run() } catch { throw .decompressionFailed(path: url.path, reason: "cannot start gzip: \(error.localizedDescription)") }
        // stderr is drained on its own thread so a chatty gzip cannot block on a full pipe.
        let message = ErrorText()
        let drain = Thread { message.set(err.fileHandleForReading.readDataToEndOfFile()) }
        drain.start()
        var data = Data()
        var tooLarge = false
        while true {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            if data.count + chunk.count > limit {
                tooLarge = true
                p.terminate()
                break
            }
            data.append(chunk)
        }
        try? out.fileHandleForReading.close()
        p.waitUntilExit()
        message.wait()
        if tooLarge {
            throw .decompressionFailed(path: url.path, reason: "it expands to more than \(limit >> 20) MiB (a decompression bomb, or text too large to read whole); split it into smaller files")
        }
        guard p.terminationStatus == 0 else {
            let reason = message.text.trimmingCharacters(in: .whitespacesAndNewlines)
            throw .decompressionFailed(path: url.path, reason: reason.isEmpty ? "gzip exited with status \(p.terminationStatus)" : reason)
        }
        return data
    }

    /// Splits a file's text into documents at `delimiter` (each trimmed of surrounding
    /// whitespace, empty ones dropped), or keeps it whole.
    static func documents(_ text: String, delimiter: String?) -> [String] {
        guard let delimiter, !delimiter.isEmpty else { return [text] }
        return text.components(separatedBy: delimiter)
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
    }
}

/// Cuts long texts into pieces that a byte-level BPE tokenizer encodes exactly as it encodes
/// the whole: each cut is just after a "\n" that follows a printable ASCII character and precedes
/// an ASCII letter or digit. No pre-tokenizer pattern (GPT-2, Llama 3, SmolLM, Qwen 2) spans such
/// a point, so the pieces can be encoded in parallel and concatenated.
enum TextChunking {
    static func pieces(_ text: String, targetBytes: Int) -> [String] {
        let utf8 = text.utf8
        guard targetBytes > 0, utf8.count > targetBytes else { return [text] }
        let bytes = Array(utf8)
        func isCut(_ i: Int) -> Bool {  // cut after bytes[i]
            guard bytes[i] == 0x0A, i > 0, i + 1 < bytes.count else { return false }
            let before = bytes[i - 1], after = bytes[i + 1]
            let printable = (0x21 ... 0x7E).contains(before)
            let alnum = (0x30 ... 0x39).contains(after) || (0x41 ... 0x5A).contains(after) || (0x61 ... 0x7A).contains(after)
            return printable && alnum
        }
        var out: [String] = []
        var start = 0
        var i = targetBytes
        while i < bytes.count - 1 {
            if isCut(i) {
                out.append(String(decoding: bytes[start ... i], as: UTF8.self))
                start = i + 1
                i = start + targetBytes
            } else {
                i += 1
            }
        }
        out.append(String(decoding: bytes[start...], as: UTF8.self))
        return out
    }
}

/// A child's stderr, read on another thread.
private final class ErrorText: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private(set) var text = ""
    func set(_ data: Data) { text = String(decoding: data, as: UTF8.self); done.signal() }
    func wait() { done.wait() }
}
