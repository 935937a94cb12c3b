import Testing
@testable import KingletArchitectures

@Suite struct PageMemoryTests {
    /// Fresh memory reads as zeros (the KV cache and the forward buffers count on nothing else,
    /// but a recycled heap chunk would not be), is writable to its last byte and page-aligned.
    @Test func zeroedWritableAndAligned() {
        for bytes in [1, 4_095, 4_096, 1_000_003, 3 << 20] {
            let m = PageMemory(byteCount: bytes)
            let p = m.pointer.assumingMemoryBound(to: UInt8.self)
            #expect(Int(bitPattern: m.pointer) % 4_096 == 0)
            let zeroed = UnsafeBufferPointer(start: p, count: bytes).allSatisfy { $0 == 0 }
            #expect(zeroed, "\(bytes) bytes")
            p[0] = 0x5A
            p[bytes - 1] = 0xA5
            #expect(p[bytes - 1] == 0xA5)
            if bytes > 1 { #expect(p[0] == 0x5A) }
        }
    }

    /// The cache on page memory keeps what is written, for each precision's storage.
    @Test func kvCacheStoresRowsOnPageMemory() {
        for precision in [KVCache.Precision.f16, .f32, .q8_0] {
            let cache = KVCache(layers: 2, capacity: 8, rowSize: 64, precision: precision)
            #expect(cache.rowBytes == precision.rowBytes(64))
            switch precision {
            case .f16: #expect(cache.k16 != nil && cache.v16 != nil && cache.k32 == nil && cache.kBlocks == nil)
            case .f32: #expect(cache.k32 != nil && cache.v32 != nil && cache.k16 == nil && cache.kBlocks == nil)
            default: #expect(cache.kBlocks != nil && cache.vBlocks != nil && cache.k16 == nil && cache.k32 == nil)
            }
        }
    }
}
