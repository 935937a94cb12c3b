import Foundation
import KingletArchitectures
@testable import KingletRuntime
import KingletTestSupport
import Testing

/// Prompt caches on disk: a restored cache continues exactly as the one saved (the same logits as
/// a fresh prefill of the same tokens), and a file that is not one, is damaged, or was saved with
/// another model or cache type is refused with its reason, leaving the cache empty and usable.
@Suite struct PromptCacheFileTests {
    static let prompt: [Int32] = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3]

    static func temp(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-pc-\(UUID().uuidString)-\(name)")
    }

    /// A cache holding `tokens`, evaluated in chunks of `chunk` (as a server's prefill would).
    static func evaluated(_ engine: Engine, _ tokens: [Int32], chunk: Int = 5) throws -> PromptCache {
        let cache = PromptCache(state: engine.makeState())
        var i = 0
        while i < tokens.count {
            let part = Array(tokens[i ..< min(tokens.count, i + chunk)])
            _ = try engine.model.forward(part, state: cache.state, logits: .last)
            cache.append(part)
            i += part.count
        }
        return cache
    }

    /// The logits of `next` after what `cache` holds.
    static func next(_ engine: Engine, _ cache: PromptCache, _ next: [Int32]) throws -> [Float] {
        try engine.model.forward(next, state: cache.state, logits: .all)
    }

    @Test(arguments: ["llama", "gemma3"])
    func aRestoredCacheContinuesExactlyAsAFreshPrefill(_ architecture: String) throws {
        let path = architecture == "llama" ? try TinyEngineFile.path.get() : try TinyEngineFile.gemma3Path.get()
        let engine = try Engine(path: path, options: EngineOptions(threads: 1))
        let url = Self.temp("a.kvc")
        defer { try? FileManager.default.removeItem(at: url) }
        let saved = try Self.evaluated(engine, Self.prompt)
        try PromptCacheFile.save(saved, engine: engine, to: url)

        let restored = PromptCache(state: engine.makeState())
        #expect(try PromptCacheFile.restore(restored, engine: engine, from: url) == Self.prompt.count)
        #expect(restored.tokens == Self.prompt && restored.state.cache.count == Self.prompt.count)
        let fresh = try Self.evaluated(engine, Self.prompt)
        let more: [Int32] = [4, 4, 2]
        #expect(try Self.next(engine, restored, more) == (try Self.next(engine, fresh, more)), "bit-identical logits")
        // The restored cache is an ordinary one: it rewinds and reuses like any other.
        #expect(restored.prepare(for: Array(Self.prompt.prefix(16)) + [1]) == 16)
    }

    /// A block-quantized cache (`--kv-cache q8_0`, q4_0) is saved and restored as stored, on the
    /// real SmolLM2 (its heads of 64 are whole blocks; the tiny models' are not).
    @Test(arguments: [KVCache.Precision.q8_0, .q4_0])
    func aQuantizedCacheRestoresBitIdentical(_ precision: KVCache.Precision) throws {
        var options = EngineOptions(threads: 2, contextLength: 256)
        options.cachePrecision = precision
        let engine = try Engine(path: TestModelFiles.smolLM2, options: options)
        let url = Self.temp("q.kvc")
        defer { try? FileManager.default.removeItem(at: url) }
        let prompt = try engine.tokens(for: .raw("The quick brown fox jumps over the lazy dog, and then"))
        let saved = try Self.evaluated(engine, prompt, chunk: 4)
        try PromptCacheFile.save(saved, engine: engine, to: url)
        let restored = PromptCache(state: engine.makeState())
        #expect(try PromptCacheFile.restore(restored, engine: engine, from: url) == prompt.count)
        #expect(try Self.next(engine, restored, [prompt[1]]) == (try Self.next(engine, saved, [prompt[1]])))
        var f16 = EngineOptions(threads: 2, contextLength: 256)
        f16.cachePrecision = .f16
        let other = try Engine(path: TestModelFiles.smolLM2, options: f16)
        #expect(throws: PromptCacheFileError.self) { try PromptCacheFile.restore(PromptCache(state: other.makeState()), engine: other, from: url) }
    }

    /// A sliding-window layer saved from a ring of window + 8 restores into a ring of window + 2:
    /// the smaller ring keeps the last positions it has room for, enough for the next token.
    @Test func aRingRestoresIntoASmallerRing() throws {
        let engine = try Engine(path: TinyEngineFile.gemma3Path.get(), options: EngineOptions(threads: 1))
        let url = Self.temp("ring.kvc")
        defer { try? FileManager.default.removeItem(at: url) }
        func cache(batchRoom: Int) -> PromptCache {
            PromptCache(state: ModelState(cache: KVCache(layout: KVCache.Layout(engine.config, batchRoom: batchRoom), precision: .f16)))
        }
        let saved = cache(batchRoom: 8)
        for (i, t) in Self.prompt.enumerated() {
            _ = try engine.model.forward([t], state: saved.state, logits: .last)
            saved.append([Self.prompt[i]])
        }
        try PromptCacheFile.save(saved, engine: engine, to: url)
        let small = cache(batchRoom: 2)
        #expect(try PromptCacheFile.restore(small, engine: engine, from: url) == Self.prompt.count)
        let window = TinyGemma3File.window
        #expect(small.state.cache.heldPositions(layer: 0) == Self.prompt.count - window - 2 ..< Self.prompt.count)
        #expect(small.state.cache.heldPositions(layer: 5) == 0 ..< Self.prompt.count, "layer 5 is global")
        #expect(try Self.next(engine, small, [2]) == (try Self.next(engine, saved, [2])))
    }

    /// Every way a file can be wrong is refused with its own error, and the cache is left empty.
    @Test func badFilesAreRefusedAndLeaveTheCacheEmpty() throws {
        let engine = try TinyEngineFile.engine()
        let good = Self.temp("good.kvc")
        defer { try? FileManager.default.removeItem(at: good) }
        try PromptCacheFile.save(try Self.evaluated(engine, Self.prompt), engine: engine, to: good)
        let bytes = try Data(contentsOf: good)

        func refused(_ data: Data, by e: Engine? = nil) throws -> PromptCacheFileError? {
            let url = Self.temp("bad.kvc")
            defer { try? FileManager.default.removeItem(at: url) }
            try data.write(to: url)
            let engine = e ?? engine
            let cache = try Self.evaluated(engine, [1, 2, 3])
            do {
                try PromptCacheFile.restore(cache, engine: engine, from: url)
                return nil
            } catch {
                #expect(cache.tokens.isEmpty && cache.state.cache.count == 0, "a refused file leaves the cache empty")
                #expect(error.errorDescription?.contains(url.path) == true)
                return error
            }
        }
        func kind(_ e: PromptCacheFileError?) -> String {
            guard let e else { return "accepted" }
            if case .file(let f) = e { return String("\(f.problem)".prefix { $0 != "(" }) }
            return String("\(e)".prefix { $0 != "(" })
        }

        #expect(kind(try refused(Data("GGUF and something else entirely, at least 48 bytes".utf8))) == "notThisFormat")
        #expect(kind(try refused(bytes.prefix(20))) == "damaged", "shorter than any cache file")
        #expect(kind(try refused(Data("short".utf8))) == "notThisFormat")
        #expect(kind(try refused(bytes.dropLast())) == "damaged", "truncated by one byte")
        #expect(kind(try refused(bytes + [0])) == "damaged", "one byte too many")
        var flipped = bytes
        flipped[bytes.count - 100] ^= 0x10  // a key or value byte
        #expect(kind(try refused(flipped)) == "damaged", "the checksum catches a changed row")
        var version = bytes
        version[8] = 9
        #expect(kind(try refused(version)) == "unsupportedVersion")
        var header = bytes
        header[17] = UInt8(ascii: "!")  // inside the JSON header
        #expect(kind(try refused(header)) == "damaged")

        // The same file against another model file (one weight byte changed), another cache type,
        // a context too small for it.
        let other = Self.temp("other.gguf")
        defer { try? FileManager.default.removeItem(at: other) }
        var model = try Data(contentsOf: URL(fileURLWithPath: try TinyEngineFile.path.get()))
        model[model.count - 3] ^= 1
        try model.write(to: other)
        #expect(kind(try refused(bytes, by: try Engine(path: other.path, options: EngineOptions(threads: 1)))) == "otherModel")
        var f32 = EngineOptions(threads: 1)
        f32.cachePrecision = .f32
        #expect(kind(try refused(bytes, by: try TinyEngineFile.engine(f32))) == "incompatible")
        #expect(kind(try refused(bytes, by: try TinyEngineFile.engine(EngineOptions(threads: 1, contextLength: 8)))) == "incompatible")
        #expect(kind(try refused(bytes)) == "accepted", "the unaltered file still loads")
    }

    /// A save that cannot complete leaves no file behind, and an existing file is replaced whole.
    @Test func savesAreAtomic() throws {
        let engine = try TinyEngineFile.engine()
        let missing = Self.temp("no-such-folder").appendingPathComponent("x.kvc")
        #expect(throws: PromptCacheFileError.self) { try PromptCacheFile.save(try Self.evaluated(engine, [1, 2]), engine: engine, to: missing) }
        let url = Self.temp("replace.kvc")
        defer { try? FileManager.default.removeItem(at: url) }
        try PromptCacheFile.save(try Self.evaluated(engine, Self.prompt), engine: engine, to: url)
        try PromptCacheFile.save(try Self.evaluated(engine, [7, 7]), engine: engine, to: url)
        let restored = PromptCache(state: engine.makeState())
        #expect(try PromptCacheFile.restore(restored, engine: engine, from: url) == 2 && restored.tokens == [7, 7])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
            .filter { $0.hasPrefix(url.lastPathComponent + ".partial") }
        #expect(leftovers.isEmpty)
    }
}
