import Foundation
import KingletArchitectures
import KingletRuntime
import KingletTestSupport
import Testing

/// `EngineOptions.cachePrecision` with a block type on a model whose heads are not whole blocks
/// (the tiny engine's heads have 4 elements): refused when the engine loads, with a typed error,
/// never a trap later.
@Suite struct KVCacheTypeTests {
    @Test(arguments: [KVCache.Precision.q8_0, .q4_0])
    func engineRefusesABlockCacheOnHeadsOfFour(precision: KVCache.Precision) throws {
        var options = EngineOptions(threads: 1)
        options.cachePrecision = precision
        #expect(throws: KVCacheError.headNotWholeBlocks(precision: precision, headSize: 4, rowSize: 8, blockSize: 32)) {
            _ = try Engine(path: TinyEngineFile.path.get(), options: options)
        }
        options.cachePrecision = .f16
        _ = try Engine(path: TinyEngineFile.path.get(), options: options)
    }

    /// Layout.byteCount and ResourceCheck count whole blocks: 34 (Q8_0) and 18 (Q4_0) bytes per 32 values.
    @Test func byteCountsCountBlocks() {
        let layout = KVCache.Layout(layers: [.full, .sliding(window: 4)], contextLength: 100, rowSize: 64, batchRoom: 2)
        let slots = 100 + 6
        #expect(layout.byteCount(precision: .f16) == slots * 64 * 2 * 2)
        #expect(layout.byteCount(precision: .f32) == slots * 64 * 4 * 2)
        #expect(layout.byteCount(precision: .q8_0) == slots * 2 * 34 * 2)
        #expect(layout.byteCount(precision: .q4_0) == slots * 2 * 18 * 2)
        #expect(KVCache.Layout(layers: [.full], contextLength: Int.max / 4, rowSize: 64).byteCount(precision: .q8_0) == nil)
        #expect(KVCache.Precision(rawValue: "q8_0") == .q8_0 && KVCache.Precision(rawValue: "q4_0") == .q4_0)
    }
}
