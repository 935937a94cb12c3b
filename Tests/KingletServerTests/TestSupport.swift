import Foundation
import KingletRuntime
import HummingbirdTesting
import KingletServer
import KingletTestSupport

/// The real model, the built `kinglet` executable, and Python with the `openai` client.
enum ServerTestSupport {
    /// SmolLM2-135M-Instruct: `KINGLET_TEST_MODEL_SMOLLM2`, or pulled (never skipped).
    static var modelPath: String { TestModelFiles.smolLM2 }

    /// One engine shared by the in-process tests.
    static let engine: Result<Engine, Error> = Result { try Engine(path: modelPath, options: EngineOptions(threads: 2, contextLength: 2048)) }

    /// The repository root (for Tests/ServerClients).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let clients = root.appendingPathComponent("Tests/ServerClients")

    /// `kinglet`, built next to the test bundle by `swift test`.
    static func kinglet() throws -> URL { try kingletExecutable() }

    /// Makes sure `python3 -c 'import openai'` works, installing the client with pip once if not.
    static let pythonReady: Result<Void, Error> = Result {
        if try run(["python3", "-c", "import openai"]).status == 0 { return }
        let pip = try run(["python3", "-m", "pip", "install", "--quiet", "openai"])
        guard pip.status == 0 else { throw TestFailure("pip install openai failed:\n\(pip.output)") }
    }

    /// Runs a command (looked up on PATH) to completion in Tests/ServerClients; stdout, then stderr.
    static func run(_ argv: [String], timeout: TimeInterval = 600) throws -> (status: Int32, output: String) {
        let r = try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/env"), argv, timeout: timeout, directory: clients)
        return (r.status, r.stdout + r.stderr)
    }

    /// Runs one of the Python client scripts under Tests/ServerClients.
    static func python(_ script: String, _ args: [String], timeout: TimeInterval = 600) throws -> (status: Int32, output: String) {
        try pythonReady.get()
        return try run(["python3", "-u", clients.appendingPathComponent(script).path] + args, timeout: timeout)
    }
}

/// A `kinglet serve` process on a free loopback port, stopped with `stop()`.
final class ServeProcess: @unchecked Sendable {
    let child: ChildProcess
    private(set) var base = ""

    var process: Process { child.process }
    var stdout: LockedBytes { child.stdout }
    var stderr: LockedBytes { child.stderr }

    /// Starts `kinglet serve --port 0 ...` (with `environment` added to the test's) and waits for
    /// its ready line (the URL with the real port).
    init(_ extra: [String], environment: [String: String] = [:], timeout: TimeInterval = 120) throws {
        child = ChildProcess(try ServerTestSupport.kinglet(), ["serve", "--model", ServerTestSupport.modelPath, "--port", "0",
                                                                "--threads", "2", "--context", "2048"] + extra)
        child.process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        try child.start()
        do {
            base = try child.waitFor(#"http://127\.0\.0\.1:[0-9]+"#, timeout: timeout)
        } catch {
            throw TestFailure("kinglet serve did not become ready: \(error)")
        }
    }

    /// The port from `base`.
    var port: Int { Int(base.split(separator: ":").last ?? "") ?? 0 }

    /// SIGINT (graceful shutdown), then SIGKILL if it lingers. Returns the exit status.
    @discardableResult
    func stop() -> Int32 { child.stop() }
}

extension OpenAIServer {
    /// Serves on a free loopback port and runs `test` against it, the server's tasks on its own
    /// threads as under `kinglet serve`, so the suite's other work cannot starve it.
    func liveTest<Value>(_ test: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        try await ServerThreads.shared.run { try await application().test(.ahc(.http), test) }
    }
}
