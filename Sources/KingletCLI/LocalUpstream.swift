import Foundation
import Kinglet

/// `route eval --upstream MODEL`: the larger model served by a child `kinglet serve` on a free
/// loopback port, so a labelled set can be measured against a model file without starting a
/// server by hand. Stopped (SIGTERM, which drains it) when the evaluation ends.
final class LocalUpstream {
    let process = Process()
    private(set) var baseURL = ""
    /// Its stdout, read to the end so the child never blocks on a full pipe.
    private var output: OutputPipe?

    /// Starts `kinglet serve --model model --port 0` and waits (up to `timeout`) for its ready line.
    init(model: String, threads: Int?, context: Int, parallel: Int, timeout: TimeInterval = 900) throws {
        // This executable, wherever it was found (argv[0] may be a bare name looked up in PATH).
        process.executableURL = Bundle.main.executableURL ?? URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).resolvingSymlinksInPath()
        var args = ["serve", "--model", model, "--port", "0", "--parallel", String(parallel), "--context", String(context)]
        if let threads { args += ["--threads", String(threads)] }
        process.arguments = args
        // The ready line, or the end of its output, is awaited with a deadline: a child that
        // hangs silently must not hang the evaluation.
        let ready = ReadyLine()
        do {
            let out = try OutputPipe { ready.append($0) }
            output = out
            process.standardError = FileHandle.standardError  // its loading progress shows as ours
            try process.run(stdout: out, stderr: nil)
        } catch {
            throw CLIError(text: "--upstream \(model): cannot start kinglet serve for it (\(error.localizedDescription))")
        }
        switch ready.wait(timeout) {
        case .url(let url):
            baseURL = url
        case .ended:
            process.waitUntilExit()
            throw CLIError(text: "--upstream \(model): kinglet serve exited (\(process.terminationStatus)) before it was ready; see its messages above")
        case .timedOut:
            stop()
            throw CLIError(text: "--upstream \(model): kinglet serve was not ready after \(Int(timeout)) s")
        }
    }

    /// SIGTERM, then waits for the drained server to exit.
    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        output?.finish(waitingUpTo: 1)
    }

    deinit { stop() }

    /// Whether an --upstream value names a server (an http(s) URL) rather than a model.
    static func isURL(_ value: String) -> Bool {
        let lower = value.lowercased()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://")
    }
}

/// The child's stdout as it arrives, until it names its URL (or ends).
private final class ReadyLine: @unchecked Sendable {
    enum Outcome { case url(String), ended, timedOut }
    private let lock = NSLock()
    private let signal = DispatchSemaphore(value: 0)
    private var text = ""
    private var outcome: Outcome?

    func append(_ data: Data) {
        lock.withLock {
            guard outcome == nil else { return }
            if data.isEmpty {
                outcome = .ended
            } else {
                text += String(decoding: data, as: UTF8.self)
                guard let r = text.range(of: #"serving \S+ at (http://\S+/v1)"#, options: .regularExpression) else { return }
                let line = text[r]
                outcome = .url(String(line[line.range(of: "http://")!.lowerBound...]))
            }
            signal.signal()
        }
    }

    func wait(_ seconds: TimeInterval) -> Outcome {
        _ = signal.wait(timeout: .now() + seconds)
        return lock.withLock { outcome } ?? .timedOut
    }
}
