import Foundation
import KingletRuntime

/// The real model, the built `kinglet` executable, and Python with the `openai` client.
enum ServerTestSupport {
    /// SmolLM2-135M-Instruct: `KINGLET_TEST_MODEL_SMOLLM2`, or pulled (never skipped).
    static let modelPath: String = {
        if let p = ProcessInfo.processInfo.environment["KINGLET_TEST_MODEL_SMOLLM2"], !p.isEmpty { return p }
        do {
            return try ModelStore().pull(KnownModel.named("smollm2-135m")!).path
        } catch {
            return "/nonexistent/pull-failed: \(error.localizedDescription)"
        }
    }()

    /// One engine shared by the in-process tests.
    static let engine: Result<Engine, Error> = Result { try Engine(path: modelPath, options: EngineOptions(threads: 2, contextLength: 2048)) }

    /// The repository root (for Tests/ServerClients).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let clients = root.appendingPathComponent("Tests/ServerClients")

    /// `kinglet`, built next to the test bundle by `swift test`.
    static func kinglet() throws -> URL {
        var dirs: [URL] = []
        if let p = Bundle.main.executableURL { dirs.append(p.deletingLastPathComponent()) }
        dirs.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        dirs.append(Bundle.main.bundleURL.deletingLastPathComponent())
        for d in dirs {
            var dir = d
            for _ in 0 ..< 4 {  // the .xctest bundle may be a directory (macOS) or a file (Linux)
                let candidate = dir.appendingPathComponent("kinglet")
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                dir = dir.deletingLastPathComponent()
            }
        }
        throw TestSupportError("kinglet executable not found near \(dirs.map(\.path)); build it with `swift build` (swift test builds it too)")
    }

    /// Makes sure `python3 -c 'import openai'` works, installing the client with pip once if not.
    static let pythonReady: Result<Void, Error> = Result {
        if try run(["python3", "-c", "import openai"]).status == 0 { return }
        let pip = try run(["python3", "-m", "pip", "install", "--quiet", "openai"])
        guard pip.status == 0 else { throw TestSupportError("pip install openai failed:\n\(pip.output)") }
    }

    /// Runs a command to completion; stdout and stderr together.
    static func run(_ argv: [String], timeout: TimeInterval = 600) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = argv
        p.currentDirectoryURL = clients
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        p.standardInput = FileHandle.nullDevice
        let collected = LockedData()
        pipe.fileHandleForReading.readabilityHandler = { h in collected.append(h.availableData) }
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if p.isRunning { p.terminate(); p.waitUntilExit() }
        p.waitUntilExit()
        pipe.fileHandleForReading.readabilityHandler = nil
        collected.append(pipe.fileHandleForReading.readDataToEndOfFile())
        return (p.terminationReason == .uncaughtSignal ? -1 : p.terminationStatus, collected.string)
    }

    /// Runs one of the Python client scripts under Tests/ServerClients.
    static func python(_ script: String, _ args: [String], timeout: TimeInterval = 600) throws -> (status: Int32, output: String) {
        try pythonReady.get()
        return try run(["python3", "-u", clients.appendingPathComponent(script).path] + args, timeout: timeout)
    }
}

struct TestSupportError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Bytes appended from a pipe's handler thread.
final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func append(_ d: Data) { lock.withLock { data.append(d) } }
    var string: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
}

/// A `kinglet serve` process on a free loopback port, stopped with `stop()`.
final class ServeProcess: @unchecked Sendable {
    let process = Process()
    let stdout = LockedData()
    let stderr = LockedData()
    private(set) var base = ""

    /// Starts `kinglet serve --port 0 ...` and waits for its ready line (the URL with the real port).
    init(_ extra: [String], timeout: TimeInterval = 120) throws {
        process.executableURL = try ServerTestSupport.kinglet()
        process.arguments = ["serve", "--model", ServerTestSupport.modelPath, "--port", "0",
                             "--threads", "2", "--context", "2048"] + extra
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        out.fileHandleForReading.readabilityHandler = { [stdout] h in stdout.append(h.availableData) }
        err.fileHandleForReading.readabilityHandler = { [stderr] h in stderr.append(h.availableData) }
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline && process.isRunning {
            if let r = stdout.string.range(of: #"http://127\.0\.0\.1:[0-9]+"#, options: .regularExpression) {
                base = String(stdout.string[r])
                return
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        stop()
        throw TestSupportError("kinglet serve did not become ready.\nstdout: \(stdout.string)\nstderr: \(stderr.string)")
    }

    /// SIGINT (graceful shutdown), then SIGKILL if it lingers. Returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGINT)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit { stop() }
}
