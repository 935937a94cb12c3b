import Foundation
import KingletTestSupport
import Testing

/// The test support's child process: what the process tests stand on.
@Suite struct ChildProcessTests {
    @Test func inputAndBothOutputsGoThrough() throws {
        let c = ChildProcess(URL(fileURLWithPath: "/bin/sh"), ["-c", "read line; echo \"got $line\"; echo \"err $line\" >&2; exit 4"], stdin: true)
        try c.start()
        #expect(c.send("hello\n"))
        #expect(c.finish(seconds: 30) == 4)
        #expect(c.stdout.string == "got hello\n")
        #expect(c.stderr.string == "err hello\n")
    }

    /// Writing to a child that has exited fails; it does not end the test run with SIGPIPE.
    @Test func sendingToAnExitedChildFailsQuietly() throws {
        let c = ChildProcess(URL(fileURLWithPath: "/bin/true"), [], stdin: true)
        try c.start()
        #expect(c.finish(seconds: 30) == 0)
        // Larger than a pipe's buffer, so the write cannot just sit in it.
        #expect(!c.send(String(repeating: "x", count: 1 << 20)))
    }

    @Test func runCollectsOutputAndStatus() throws {
        let r = try ChildProcess.run(URL(fileURLWithPath: "/bin/sh"), ["-c", "printf 'a%.0s' $(seq 1 100000); echo done >&2; exit 2"])
        #expect(r.status == 2)
        #expect(r.stdout.count == 100_000 && r.stdout.allSatisfy { $0 == "a" })
        #expect(r.stderr == "done\n")
    }
}
