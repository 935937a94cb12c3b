import Foundation
import Testing
import KingletRuntime

/// A child's output read on a thread of its own (no dispatch source): all of it, both streams at
/// once, an end even when a descendant keeps the pipe open, and many children side by side.
@Suite struct OutputPipeTests {
    /// Runs `sh -c script` with both streams read through output pipes; status, stdout, stderr,
    /// and whether each output reached its end of file within `grace` seconds of the exit.
    func sh(_ script: String, grace: Double = 10) throws -> (status: Int32, out: String, err: String, ended: [Bool]) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", script]
        let out = LockedBytes(), err = LockedBytes()
        let outPipe = try OutputPipe(onData: out.append), errPipe = try OutputPipe(onData: err.append)
        try p.run(stdout: outPipe, stderr: errPipe)
        p.waitUntilExit()
        let ended = [outPipe.finish(waitingUpTo: grace), errPipe.finish(waitingUpTo: grace)]
        return (p.terminationStatus, out.string, err.string, ended)
    }

    @Test func collectsBothStreamsWhole() throws {
        // Far more than a pipe holds (64 KiB) on each stream, written interleaved: a reader that
        // took one stream to its end before the other would leave the child blocked.
        let r = try sh("for i in $(seq 1 3000); do echo \"out $i ................................................\"; echo \"err $i\" >&2; done; exit 3")
        #expect(r.status == 3)
        #expect(r.ended == [true, true])
        let outLines = r.out.split(separator: "\n"), errLines = r.err.split(separator: "\n")
        #expect(outLines.count == 3000 && errLines.count == 3000)
        #expect(outLines.first == "out 1 ................................................" && outLines.last?.hasPrefix("out 3000 ") == true)
        #expect(errLines.first == "err 1" && errLines.last == "err 3000")
        #expect(r.out.utf8.count > 150_000)
    }

    /// Starts `sh -c script` whose background `sleep` keeps stdout (only) open after the shell
    /// exits; the shell's stderr ends with it. Returns the process, its pipes and collectors.
    /// (Foundation reports the shell's exit only once the `sleep` ends too — its own exit
    /// notification is inherited the same way — so these tests watch stderr's end instead.)
    func shellLeavingASleep() throws -> (Process, OutputPipe, OutputPipe, LockedChunks, LockedBytes) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "sleep 20 2>/dev/null & echo $!; echo done >&2"]
        let out = LockedChunks(), err = LockedBytes()
        let outPipe = try OutputPipe(onData: out.append), errPipe = try OutputPipe(onData: err.append)
        try p.run(stdout: outPipe, stderr: errPipe)
        return (p, outPipe, errPipe, out, err)
    }

    func killSleep(_ p: Process, _ out: LockedChunks) {
        if let pid = Int32(out.text.trimmingCharacters(in: .whitespacesAndNewlines)) { kill(pid, SIGKILL) }
        p.waitUntilExit()
    }

    @Test func aDescendantHoldingThePipeOpenIsNotWaitedForBeyondTheGrace() throws {
        let (p, outPipe, errPipe, out, err) = try shellLeavingASleep()
        defer { killSleep(p, out) }
        #expect(errPipe.finish(waitingUpTo: 10), "stderr ends when the shell exits")
        #expect(err.string == "done\n")
        let started = Date()
        #expect(!outPipe.finish(waitingUpTo: 0.5), "stdout is held open by the sleep")
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed < 5, "gave up after the grace, not when the sleep ended (\(elapsed) s)")
        #expect(Int32(out.text.trimmingCharacters(in: .whitespacesAndNewlines)) != nil,
                "what came before the grace ran out is kept: \(out.text.debugDescription)")
    }

    @Test func anAbandonedReaderStillSignalsTheEnd() throws {
        let (p, outPipe, errPipe, out, _) = try shellLeavingASleep()
        defer { killSleep(p, out) }
        #expect(errPipe.finish(waitingUpTo: 10))
        #expect(!outPipe.finish(waitingUpTo: 0.3))
        // The reader notices within its 100 ms poll and delivers the empty end chunk.
        let deadline = Date().addingTimeInterval(5)
        while out.last != 0 && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        #expect(out.last == 0, "the end chunk comes once the reader lets go")
        #expect(outPipe.finish(waitingUpTo: 1), "after the reader has let go, finishing again returns at once")
    }

    @Test func aChildThatCannotStartLeavesNoReaderWaiting() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/nonexistent/kinglet-no-such-program")
        let out = LockedBytes()
        let pipe = try OutputPipe(onData: out.append)
        #expect(throws: (any Error).self) { try p.run(stdout: pipe, stderr: nil) }
        #expect(pipe.finish(waitingUpTo: 5), "the write end is closed even when the child never ran, so the output ends")
        #expect(out.string.isEmpty)
    }

    @Test func manyChildrenStartedAndReadSideBySide() throws {
        // The pattern that crashed readabilityHandler readers on Linux: sources set up and torn
        // down on several threads at once. Each child's output must come back whole and its own.
        let failures = LockedBytes()
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for round in 0 ..< 12 {
                let tag = "\(worker)-\(round)"
                do {
                    let r = try sh("echo out-\(tag); echo err-\(tag) >&2")
                    if r.status != 0 || r.out != "out-\(tag)\n" || r.err != "err-\(tag)\n" || r.ended != [true, true] {
                        failures.append(Data("\(tag): \(r)\n".utf8))
                    }
                } catch {
                    failures.append(Data("\(tag): \(error)\n".utf8))
                }
            }
        }
        #expect(failures.string.isEmpty, "\(failures.string)")
    }
}

/// The size of each chunk an output pipe delivered, and their text.
final class LockedChunks: @unchecked Sendable {
    private let lock = NSLock()
    private var sizes: [Int] = []
    private var data = Data()
    func append(_ d: Data) { lock.withLock { sizes.append(d.count); data.append(d) } }
    var last: Int? { lock.withLock { sizes.last } }
    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
}
