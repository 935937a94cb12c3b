import Foundation
import Testing
@testable import KingletGGUF

@Suite struct GGUFWriterFileTests {
    @Test func writesAtomicallyAndMaps() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-gguf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("m.gguf").path
        try GGUFRoundTripTests.sample().write(to: path)
        let f = try GGUFFile(path: path)
        #expect(f.architecture == "llama")
        #expect(try f.strings("strs") == ["a", "", "ü"])
        #expect(f.path == path)
    }

    @Test func missingFileIsATypedError() {
        #expect(throws: GGUFError.self) { try GGUFFile(path: "/nonexistent/x.gguf") }
    }

    @Test func directoryIsATypedError() {
        #expect(throws: GGUFError.self) { try GGUFFile(path: "/tmp") }
    }
}
