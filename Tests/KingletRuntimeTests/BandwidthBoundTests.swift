import Foundation
import KingletArchitectures
import KingletKernels
import KingletTestSupport
import Testing
@testable import KingletRuntime

/// The bound `kinglet bench` sets beside tg: bytes a token reads, and the read bandwidth.
@Suite struct BandwidthBoundTests {
    @Test func bytesPerTokenAreTheWeightsButTheEmbeddingPlusTheCacheSoFar() throws {
        let engine = try Engine(path: TinyEngineFile.path.get(), options: EngineOptions(threads: 1, contextLength: 64))
        let c = engine.config
        #expect(engine.gguf.tensorIfPresent(TensorNames.output) != nil)  // untied: the embedding reads one row
        let weights = engine.gguf.tensorInfos.filter { $0.name != TensorNames.tokenEmbedding }.map(\.byteCount).reduce(0, +)
        let kvRow = c.kvHeadCount * c.headSize * 2  // f16
        #expect(engine.bytesReadPerToken(position: 0) == weights + c.layerCount * 2 * kvRow)
        #expect(engine.bytesReadPerToken(position: 9) == weights + c.layerCount * 2 * kvRow * 10)
        let q8 = engine.bytesReadPerToken(position: 9, precision: .q8_0)
        #expect(q8 == weights + c.layerCount * 2 * 10 * ((c.kvHeadCount * c.headSize + 31) / 32 * 34))  // whole 34-byte blocks
    }

    @Test func slidingWindowLayersReadTheirWindowOnly() throws {
        let engine = try Engine(path: TinyEngineFile.gemma3Path.get(), options: EngineOptions(threads: 1, contextLength: 256))
        let c = engine.config
        let windows = (0 ..< c.layerCount).map { c.slidingWindow(layer: $0) }
        let window = try #require(windows.compactMap { $0 }.min())
        let far = window * 3
        let tied = engine.gguf.tensorIfPresent(TensorNames.output) == nil
        let weights = engine.gguf.tensorInfos.filter { $0.name != TensorNames.tokenEmbedding || tied }.map(\.byteCount).reduce(0, +)
        let kvRow = c.kvHeadCount * c.headSize * 2
        let spans = windows.map { w in w.map { min($0, far + 1) } ?? far + 1 }.reduce(0, +)
        #expect(spans < c.layerCount * (far + 1))  // the window matters at this position
        #expect(engine.bytesReadPerToken(position: far) == weights + 2 * kvRow * spans)
    }

    @Test func bandwidthIsMeasuredOnEveryThread() {
        for threads in [1, 2] {
            let bandwidth = MemoryBandwidth.measure(pool: ThreadPool(threads: threads), bytes: 8 << 20, passes: 2)
            // any machine that runs these tests reads more than 100 MB/s and less than 10 TB/s
            #expect(bandwidth > 1e8 && bandwidth < 1e13, "\(threads) threads: \(bandwidth) B/s")
        }
    }
}
