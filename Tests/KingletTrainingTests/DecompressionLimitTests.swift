import Foundation
import Testing
@testable import KingletTraining

/// A compressed training input cannot expand without bound (issue 12: decompression bombs).
@Suite struct DecompressionLimitTests {
    static func gzipped(_ bytes: Int) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-gz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let plain = dir.appendingPathComponent("zeros.txt")
        try Data(repeating: UInt8(ascii: "a"), count: bytes).write(to: plain)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gzip.arguments = ["gzip", "-9", plain.path]
        try gzip.run()
        gzip.waitUntilExit()
        #expect(gzip.terminationStatus == 0)
        return plain.appendingPathExtension("gz")
    }

    @Test func aBombIsStoppedAtTheLimit() throws {
        let url = try Self.gzipped(8 << 20)  // 8 MiB of one letter: about 8 KB compressed
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let compressed = try #require(try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int)
        #expect(compressed < 64 << 10)
        do {
            _ = try TextInputs.gunzip(url, limit: 1 << 20)
            Issue.record("8 MiB came out under a 1 MiB limit")
        } catch {
            guard case .decompressionFailed(_, let reason) = error else { Issue.record("\(error)"); return }
            #expect(reason.contains("expands to more than 1 MiB"))
        }
    }

    @Test func underTheLimitEverythingComesOut() throws {
        let url = try Self.gzipped(3 << 20)
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let data = try TextInputs.gunzip(url, limit: 4 << 20)
        #expect(data.count == 3 << 20 && data.allSatisfy { $0 == UInt8(ascii: "a") })
    }
}
