import Foundation
import KingletTestSupport
import Testing

/// A real `kinglet serve` process on a free loopback port, driven by the official `openai` Python
/// client (scripts in Tests/ServerClients). Each script prints one line per check and exits
/// non-zero if any failed; its output is attached to the failure.
@Suite(.serialized) struct ServeProcessTests {
    @Test func openAIClient() throws {
        let server = try ServeProcess(["--api-key", "sk-kinglet-test", "--parallel", "2"])
        defer { server.stop() }
        let r = try ServerTestSupport.python("openai_checks.py", [server.base, "sk-kinglet-test", ServerTestSupport.modelID])
        print(r.output)
        #expect(r.status == 0, "openai_checks.py failed:\n\(r.output)\nserver stderr:\n\(server.stderr.string)")
        #expect(r.output.contains("all checks ok"))
    }

    /// `parse` into Pydantic models, tool calls (required, named, streamed, round trip) with the client.
    @Test func openAIClientToolsAndStructuredOutput() throws {
        let server = try ServeProcess(["--parallel", "2"])
        defer { server.stop() }
        let r = try ServerTestSupport.python("tool_checks.py", [server.base, ServerTestSupport.modelID], timeout: 600)
        print(r.output)
        #expect(r.status == 0, "tool_checks.py failed:\n\(r.output)\nserver stderr:\n\(server.stderr.string)")
        #expect(r.output.contains("all checks ok"))
    }

    /// SIGTERM mid-stream: the stream runs to its end, new connections are refused, exit 0.
    @Test func sigtermDrainsStreamsInFlight() throws {
        let server = try ServeProcess(["--parallel", "1"])
        defer { server.stop() }
        let r = try ServerTestSupport.python("drain_check.py", [server.base, ServerTestSupport.modelID, String(server.process.processIdentifier)])
        print(r.output)
        #expect(r.status == 0, "drain_check.py failed:\n\(r.output)\nserver stderr:\n\(server.stderr.string)")
        #expect(r.output.contains("all checks ok"))
        let deadline = Date().addingTimeInterval(30)
        while server.process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        #expect(!server.process.isRunning && server.process.terminationStatus == 0, "the server exits 0 once drained")
    }

    @Test func malformedInputQueueAndDisconnects() throws {
        let server = try ServeProcess(["--parallel", "1", "--queue", "1"])
        defer { server.stop() }
        let r = try ServerTestSupport.python("robustness_checks.py", [server.base, ServerTestSupport.modelID])
        print(r.output)
        #expect(r.status == 0, "robustness_checks.py failed:\n\(r.output)\nserver stderr:\n\(server.stderr.string)")
        #expect(r.output.contains("all checks ok"))
        #expect(server.process.isRunning, "the server must survive everything above")
    }

    /// 16 concurrent streaming clients x 3 requests (bounded: 32 tokens each, 5 minutes at most).
    @Test func sixteenConcurrentStreams() throws {
        let server = try ServeProcess(["--parallel", "16", "--queue", "32"])
        defer { server.stop() }
        let r = try ServerTestSupport.python("load_check.py", [server.base, ServerTestSupport.modelID, "--clients", "16",
                                                              "--requests", "3", "--max-tokens", "32", "--deadline", "300"],
                                             timeout: 360)
        print(r.output)
        #expect(r.status == 0, "load_check.py failed:\n\(r.output)\nserver stderr:\n\(server.stderr.string)")
        #expect(r.output.contains("all checks ok"))
    }

    @Test func bindsToLoopbackByDefault() throws {
        let server = try ServeProcess([])
        defer { server.stop() }
        #expect(server.base.hasPrefix("http://127.0.0.1:"))
        #expect(server.stderr.string.contains("listening on http://127.0.0.1:"))
        #expect(server.stop() == 0, "SIGINT shuts the server down cleanly")
    }
}

extension ServerTestSupport {
    /// The id `serve --model PATH` gives the model: the file name without `.gguf`.
    static var modelID: String {
        let name = URL(fileURLWithPath: modelPath).lastPathComponent
        return name.hasSuffix(".gguf") ? String(name.dropLast(5)) : name
    }
}
