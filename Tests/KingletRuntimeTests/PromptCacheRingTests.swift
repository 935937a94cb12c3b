import Foundation
import KingletArchitectures
import KingletGGUF
import KingletKernels
@testable import KingletRuntime
import KingletTestSupport
import Testing

/// `PromptCache` over sliding-window layers: a kept prefix is what the rings still hold, never
/// more, so the tokens recorded stay exactly what the cache holds and the rest is evaluated again.
@Suite struct PromptCacheRingTests {
    static let tokens: [Int32] = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7]

    @Test func aRewindPastTheRingKeepsNothing() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tiny-gemma3-\(UUID().uuidString).gguf").path
        try TinyGemma3File.build().0.write(to: path)
        defer { unlink(path) }  // the mapping stays valid after unlink
        let model = try ArchitectureRegistry.load(try GGUFFile(path: path), options: ModelLoadOptions(pool: ThreadPool(threads: 1)))
        // Window 5 with room for 2 more: each local layer's ring holds the last 7 positions.
        let cache = PromptCache(state: ModelState(cache: KVCache(layout: KVCache.Layout(model.config, batchRoom: 2), precision: .f32)))
        func evaluate(_ t: ArraySlice<Int32>) throws {
            _ = try model.forward(Array(t), state: cache.state, logits: .last)
            cache.append(Array(t))
        }
        try evaluate(Self.tokens[..<12])  // the rings hold positions 5..<12
        // A prompt sharing 11 tokens: position 11, evaluated next, attends to 7...11, still held; kept.
        #expect(cache.prepare(for: Array(Self.tokens[..<11]) + [0, 0]) == 11)
        #expect(cache.tokens == Array(Self.tokens[..<11]) && cache.state.cache.count == 11)
        // Sharing 8: position 8 would attend to 4...8, and 4 has left the rings; nothing is kept.
        #expect(cache.prepare(for: Array(Self.tokens[..<8]) + [0]) == 0)
        #expect(cache.tokens.isEmpty && cache.state.cache.count == 0)
        try evaluate(Self.tokens[...])
        #expect(cache.tokens == Self.tokens && cache.state.cache.count == Self.tokens.count)
    }
}
