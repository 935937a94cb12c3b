import Foundation
import Testing
@testable import KingletServer

/// The server answers while blocking work holds every thread of Swift's cooperative pool, as the
/// suite's model tests do (and an app embedding the server may).
@Suite struct ServerThreadsTests {
    @Test func theServerAnswersWhileTheCooperativePoolIsBlocked() async throws {
        let server = try HostileClientTests.server(loaded: false)
        try await server.liveTest { client in
            let port = try #require(client.port)
            let release = DispatchSemaphore(value: 0)
            let blockers = ProcessInfo.processInfo.activeProcessorCount
            let started = Counter()
            for _ in 0 ..< blockers {
                Task.detached { started.add(); _ = release.wait(timeout: .now() + 10) }
            }
            defer { for _ in 0 ..< blockers { release.signal() } }
            // Under a loaded suite other tests' blocking work may hold the pool first; then ours
            // wait, and the pool is starved all the same (but the probe below proves nothing).
            let ours = try await HostileClientTests.eventually(seconds: 10) { started.value == blockers }
            let probe = Counter()
            Task.detached { probe.add() }
            let answer = try await offPool {
                let c = try RawConnection(port: port)
                c.send(HostileClientTests.get("/v1/models", host: "localhost"))
                return c.response(seconds: 5)
            }
            if ours { #expect(probe.value == 0, "the pool was starved while the server answered") }
            #expect(answer.status == 200, "answered within 5 s: \(answer)")
        }
    }
}

/// A thread-safe count.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    var value: Int { lock.withLock { n } }
    func add() { lock.withLock { n += 1 } }
}
