import Foundation
import Testing
@testable import KingletGGUF

/// Tensor data copied onto huge pages reads the same as the file mapping, and the header's pages
/// can be let go without losing the metadata.
@Suite struct TensorPlacementTests {
    /// A header of a few pages (many strings) and ~9 MiB of tensor data: more than one copy chunk,
    /// whole 2 MiB pages and a tail.
    static func writeSample(to path: String) throws -> (strings: [String], floats: [Float]) {
        var w = GGUFWriter()
        w.set("general.architecture", "llama")
        let strings = (0 ..< 5_000).map { "token-\($0)-\(String(repeating: "x", count: $0 % 13))" }
        w.set("tokens", strings: strings)
        let floats = (0 ..< 2_400_000).map { Float($0 % 9_973) * 0.5 - Float($0 % 7) }
        w.addTensor("big", dims: [floats.count], floats: floats)
        w.addTensor("small", dims: [32], type: .q8_0, bytes: (0 ..< 34).map { UInt8($0) })
        try w.write(to: path)
        return (strings, floats)
    }

    @Test func hugePageCopyReadsAsTheMapping() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-placement-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("m.gguf").path
        let written = try Self.writeSample(to: path)

        let mapped = try GGUFFile(path: path)
        let copied = try GGUFFile(path: path, placement: .hugePages)
        #expect(mapped.tensorPlacement == .fileMapping)
        #if canImport(Glibc)
        #expect(copied.tensorPlacement == .hugePages)
        // The copy is its own memory, starting on a 2 MiB boundary.
        let base = Int(bitPattern: copied.tensorData.baseAddress!)
        #expect(base % (2 << 20) == 0)
        let file = Int(bitPattern: copied.fileBytes.baseAddress!)
        #expect(base >= file + copied.fileBytes.count || base + copied.tensorData.count <= file)
        #endif
        #expect(copied.tensorData.count == copied.fileBytes.count - copied.dataOffset)
        #expect(copied.tensorData.elementsEqual(mapped.tensorData))
        let big = try copied.tensor("big")
        #expect(Array(big.data.bindMemory(to: Float.self)) == written.floats)
        #expect(Array(try copied.tensor("small").data) == (0 ..< 34).map { UInt8($0) })

        // Letting the header's pages go loses nothing: they come back from the file.
        copied.releaseHeaderPages()
        mapped.releaseHeaderPages()
        #expect(try copied.strings("tokens") == written.strings)
        #expect(try mapped.strings("tokens") == written.strings)
        #expect(Array(try mapped.tensor("big").data.bindMemory(to: Float.self)) == written.floats)
    }

    @Test func releasingPagesKeepsTheBytes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-release-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("bytes").path
        let bytes = (0 ..< 50_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let file = try MappedFile(path: path)
        #expect(Array(file.bytes) == bytes)
        for range in [0 ..< 1, 4_095 ..< 12_289, 40_000 ..< 50_000, -5 ..< 60_000, 30 ..< 30] {
            file.releasePages(range)
            #expect(Array(file.bytes) == bytes, "after releasing \(range)")
        }
    }
}
