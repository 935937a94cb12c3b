import Foundation
import KingletRuntime
#if canImport(Glibc)
import Glibc
#endif

/// A test's failure to set something up, with what went wrong.
public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}

/// The `kinglet` executable that `swift test` built next to the test bundle.
public func kingletExecutable() throws -> URL {
    var dirs: [URL] = []
    if let p = Bundle.main.executableURL { dirs.append(p.deletingLastPathComponent()) }
    dirs.append(URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent())
    dirs.append(Bundle.main.bundleURL.deletingLastPathComponent())
    for d in dirs {
        var dir = d
        for _ in 0 ..< 4 {  // the .xctest bundle may be a directory (macOS) or a file (Linux)
            let candidate = dir.appendingPathComponent("kinglet")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
    }
    throw TestFailure("kinglet executable not found near \(dirs.map(\.path)); `swift test` builds it, or run `swift build`")
}

/// A child process with its stdout and stderr collected as they come (stdin: a pipe for `send`,
/// or nothing); stopped with SIGINT, then SIGKILL, by `stop()` or when released.
public final class ChildProcess: @unchecked Sendable {
    public let process = Process()
    public let stdout = LockedBytes()
    public let stderr = LockedBytes()
    public let stdin: Pipe?
    private var outputs: [OutputPipe] = []

    public init(_ executable: URL, _ args: [String], stdin: Bool = false, directory: URL? = nil) {
        process.executableURL = executable
        process.arguments = args
        process.currentDirectoryURL = directory
        self.stdin = stdin ? Pipe() : nil
    }

    /// Starts the process.
    public func start() throws {
        let out = try OutputPipe { [stdout] in stdout.append($0) }
        let err = try OutputPipe { [stderr] in stderr.append($0) }
        outputs = [out, err]
        process.standardInput = stdin ?? FileHandle.nullDevice
        try process.run(stdout: out, stderr: err)
    }

    /// Reads what the exited child wrote to the end (a descendant still holding a pipe open is
    /// waited for at most two seconds).
    private func collectOutput() {
        for o in outputs { o.finish(waitingUpTo: 2) }
    }

    /// Writes to the process's stdin (started with `stdin: true`).
    /// Whether it all went in: not when the child has exited or closed its input (a broken pipe
    /// is a failed write here, not a SIGPIPE that would end the whole test run without a word).
    @discardableResult
    public func send(_ text: String) -> Bool {
        guard let stdin else { return false }
        Self.ignoreBrokenPipes
        return (try? stdin.fileHandleForWriting.write(contentsOf: Data(text.utf8))) != nil
    }

    /// SIGPIPE ignored in the test process, once: writes to a pipe nobody reads then fail with
    /// EPIPE instead of killing the process.
    private static let ignoreBrokenPipes: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    /// Closes stdin: end of input, like Ctrl-D.
    public func closeInput() { try? stdin?.fileHandleForWriting.close() }

    /// Waits for exit (SIGTERM after `seconds`); the exit status.
    public func finish(seconds: Double = 120) -> Int32 {
        if !wait(for: { !process.isRunning }, seconds: seconds) { process.terminate() }
        process.waitUntilExit()
        collectOutput()
        return process.terminationStatus
    }

    /// Polls `condition` until it holds or `seconds` pass; whether it holds.
    public func wait(for condition: () -> Bool, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        return condition()
    }

    /// Waits until stdout matches `pattern` (a regular expression); returns the match, or stops
    /// the process and throws with both outputs.
    public func waitFor(_ pattern: String, timeout: TimeInterval = 120) throws -> String {
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

    /// SIGINT (a graceful stop), then SIGKILL if it lingers; the exit status.
    @discardableResult
    public func stop() -> Int32 {
        if process.isRunning {
            kill(process.processIdentifier, SIGINT)
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        collectOutput()
        return process.terminationStatus
    }

    /// Runs to completion (stopped after `timeout`): exit status, stdout, stderr.
    public static func run(_ executable: URL, _ args: [String], timeout: TimeInterval = 600,
                           directory: URL? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        let p = ChildProcess(executable, args, directory: directory)
        try p.start()
        _ = p.wait(for: { !p.process.isRunning }, seconds: timeout)
        let status = p.stop()
        return (p.process.terminationReason == .uncaughtSignal ? -1 : status, p.stdout.string, p.stderr.string)
    }

    deinit { stop() }
}
