import Foundation

/// `route eval --upstream MODEL`: the larger model served by a child `kinglet serve` on a free
/// loopback port, so a labelled set can be measured against a model file without starting a
/// server by hand. Stopped (SIGTERM, which drains it) when the evaluation ends.
final class LocalUpstream {
    let process = Process()
    private(set) var baseURL = ""

    /// Starts `kinglet serve --model model --port 0` and waits (up to `timeout`) for its ready line.
    init(model: String, threads: Int?, context: Int, parallel: Int, timeout: TimeInterval = 900) throws {
        // This executable, wherever it was found (argv[0] may be a bare name looked up in PATH).
        process.executableURL = Bundle.main.executableURL ?? URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).resolvingSymlinksInPath()
        var args = ["serve", "--model", model, "--port", "0", "--parallel", String(parallel), "--context", String(context)]
        if let threads { args += ["--threads", String(threads)] }
        process.arguments = args
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.standardError  // its loading progress shows as ours
        do { try process.run() } catch {
            throw CLIError(text: "--upstream \(model): cannot start kinglet serve for it (\(error.localizedDescription))")
        }
        let deadline = Date().addingTimeInterval(timeout)
        var text = ""
        while Date() < deadline {
            let data = out.fileHandleForReading.availableData
            if data.isEmpty {  // end of file: the server exited
                process.waitUntilExit()
                throw CLIError(text: "--upstream \(model): kinglet serve exited (\(process.terminationStatus)) before it was ready; see its messages above")
            }
            text += String(decoding: data, as: UTF8.self)
            if let r = text.range(of: #"serving \S+ at (http://\S+/v1)"#, options: .regularExpression) {
                let line = String(text[r])
                baseURL = String(line[line.range(of: "http://")!.lowerBound...])
                // Keep draining its stdout so it never blocks on a full pipe.
                out.fileHandleForReading.readabilityHandler = { h in _ = h.availableData }
                return
            }
        }
        stop()
        throw CLIError(text: "--upstream \(model): kinglet serve was not ready after \(Int(timeout)) s")
    }

    /// SIGTERM, then waits for the drained server to exit.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    deinit { stop() }

    /// Whether an --upstream value names a server (an http(s) URL) rather than a model.
    static func isURL(_ value: String) -> Bool {
        let lower = value.lowercased()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://")
    }
}
