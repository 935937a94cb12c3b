import Foundation
import KingletRuntime
@testable import KingletDistill

/// The real model, the built `kinglet` executable and child processes, for the teacher tests.
enum TeacherTestSupport {
    /// SmolLM2-135M-Instruct: `KINGLET_TEST_MODEL_SMOLLM2`, or pulled (never skipped).
    static let modelPath: String = {
        if let p = ProcessInfo.processInfo.environment["KINGLET_TEST_MODEL_SMOLLM2"], !p.isEmpty { return p }
        do {
            return try ModelStore().pull(KnownModel.named("smollm2-135m")!).path
        } catch {
            // Fails every test that needs the model, with the reason; no silent skip.
            return "/nonexistent/pull-failed: \(error.localizedDescription)"
        }
    }()

    /// One engine shared by the suites (tests run in parallel; the teacher serializes its use).
    static let engine: Result<Engine, Error> = Result { try Engine(path: modelPath, options: EngineOptions(threads: 2, contextLength: 2048)) }

    /// The id `kinglet serve --model PATH` gives the model: the file name without `.gguf`.
    static var modelID: String { URL(fileURLWithPath: modelPath).deletingPathExtension().lastPathComponent }

    /// The repository root.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A fresh temporary directory.
    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-distill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// `kinglet`, built next to the test bundle by `swift test`.
    static func kinglet() throws -> URL {
        var dirs = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(), Bundle.main.bundleURL.deletingLastPathComponent()]
        if let p = Bundle.main.executableURL { dirs.insert(p.deletingLastPathComponent(), at: 0) }
        for d in dirs {
            var dir = d
            for _ in 0 ..< 4 {  // the .xctest bundle may be a directory (macOS) or a file (Linux)
                let candidate = dir.appendingPathComponent("kinglet")
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                dir = dir.deletingLastPathComponent()
            }
        }
        throw TestFailure("kinglet executable not found near \(dirs.map(\.path)); build it with `swift build -c release`")
    }

    /// Runs a command to completion: exit status, stdout, stderr.
    static func run(_ executable: URL, _ args: [String], timeout: TimeInterval = 600) throws -> (status: Int32, stdout: String, stderr: String) {
        let p = ChildProcess(executable, args)
        try p.start()
        let deadline = Date().addingTimeInterval(timeout)
        while p.process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        p.stop()
        return (p.process.terminationStatus, p.stdout.string, p.stderr.string)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Bytes appended from a pipe's handler thread.
final class LockedBytes: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func append(_ d: Data) { lock.withLock { data.append(d) } }
    var string: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
}

/// A child process with its output collected; stopped (SIGINT, then SIGKILL) by `stop()`.
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    let stdout = LockedBytes()
    let stderr = LockedBytes()

    init(_ executable: URL, _ args: [String]) {
        process.executableURL = executable
        process.arguments = args
    }

    func start() throws {
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        out.fileHandleForReading.readabilityHandler = { [stdout] h in stdout.append(h.availableData) }
        err.fileHandleForReading.readabilityHandler = { [stderr] h in stderr.append(h.availableData) }
        try process.run()
    }

    /// Waits until stdout matches `pattern` (a regular expression); returns the match.
    func waitFor(_ pattern: String, timeout: TimeInterval = 120) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let text = stdout.string
            if let r = text.range(of: pattern, options: .regularExpression) { return String(text[r]) }
            if !process.isRunning { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        stop()
        throw TestFailure("no '\(pattern)' from \(process.executableURL?.lastPathComponent ?? "?").\nstdout: \(stdout.string)\nstderr: \(stderr.string)")
    }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGINT)
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        Thread.sleep(forTimeInterval: 0.05)  // let the pipe handlers drain
    }

    deinit { stop() }
}

/// A teacher that answers from the request alone and counts what it was asked: for dataset and
/// resume tests without a model. `failAt` makes the request with that index in a call throw
/// (after the earlier ones were reported).
final class FakeTeacher: Teacher, @unchecked Sendable {
    let name: String
    private let lock = NSLock()
    private var asked: [TeacherRequest] = []
    var failAt: Int?

    init(name: String = "fake", failAt: Int? = nil) {
        self.name = name
        self.failAt = failAt
    }

    var requests: [TeacherRequest] { lock.withLock { asked } }

    static func reply(_ r: TeacherRequest) -> TeacherCompletion {
        let text = "reply to \(r.messages.last?.content ?? "") (seed \(r.seed))"
        return TeacherCompletion(text: text, promptTokens: [1, 2, 3], completionTokens: Array(text.utf8.prefix(5)).map(Int.init) + [2],
                                 finishReason: "stop", topLogprobs: r.topLogprobs.map { _ in [[TeacherLogprob(token: "r", logprob: -0.5)]] })
    }

    func complete(_ requests: [TeacherRequest], onEach: @escaping @Sendable (Int, TeacherCompletion) -> Void) async throws -> [TeacherCompletion] {
        var out: [TeacherCompletion] = []
        for (i, r) in requests.enumerated() {
            if i == failAt { throw TeacherError.generation(reason: "fake failure at \(i)") }
            lock.withLock { asked.append(r) }
            out.append(Self.reply(r))
            onEach(i, out[i])
        }
        return out
    }
}
