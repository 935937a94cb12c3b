import Foundation
import KingletKernels
import Testing
@testable import KingletTraining

@Suite("Window sampler")
struct WindowSamplerTests {
    static func shard(count: Int) throws -> TokenShard {
        let url = try DataFixtures.temporaryDirectory().appendingPathComponent("s.ktok")
        let w = try TokenShardWriter(url: url, vocabularySize: 1000, fingerprint: 1)
        try w.appendDocument((0 ..< count).map { Int32($0 % 1000) })
        try w.finish()
        return try TokenShard(url: url)
    }

    static func batch(_ s: inout WindowSampler, rows: Int, length: Int) throws -> [Int32] {
        var out = [Int32](repeating: -1, count: rows * length)
        try out.withUnsafeMutableBufferPointer { try s.nextBatch(rows: rows, length: length, into: $0.baseAddress!) }
        return out
    }

    @Test func xoshiroMatchesThePublishedSequence() throws {
        // xoshiro256** from state {1, 2, 3, 4} (the reference implementation's first outputs).
        var r = try Xoshiro256StarStar(state: [1, 2, 3, 4])
        #expect((0 ..< 4).map { _ in r.next() } == [11520, 0, 1_509_978_240, 1_215_971_899_390_074_240])
        // SplitMix64(0)'s first output seeds the first word.
        #expect(Xoshiro256StarStar(seed: 0).state[0] == 0xe220_a839_7b1d_cdaf)
        var b = Xoshiro256StarStar(seed: 5)
        for bound: UInt64 in [1, 2, 3, 7, 1000, 1 << 40] { for _ in 0 ..< 200 { #expect(b.next(below: bound) < bound) } }
    }

    @Test func windowsAreContiguousAndSeeded() throws {
        let shard = try Self.shard(count: 5000)
        var a = WindowSampler(shard: shard, seed: 7), b = WindowSampler(shard: shard, seed: 7), c = WindowSampler(shard: shard, seed: 8)
        let x = try Self.batch(&a, rows: 4, length: 65)
        #expect(x == (try Self.batch(&b, rows: 4, length: 65)))
        #expect(x != (try Self.batch(&c, rows: 4, length: 65)))
        for r in 0 ..< 4 {
            let row = x[r * 65 ..< (r + 1) * 65]
            for (i, t) in zip(row.indices.dropFirst(), row.dropFirst()) { #expect(t == (x[i - 1] + 1) % 1000) }
        }
    }

    @Test func restoringTheStateContinuesTheSameSequence() throws {
        let shard = try Self.shard(count: 3000)
        var a = WindowSampler(shard: shard, seed: 1234)
        for _ in 0 ..< 5 { _ = try Self.batch(&a, rows: 3, length: 17) }
        let saved = a.state
        let next = try (0 ..< 4).map { _ in try Self.batch(&a, rows: 3, length: 17) }
        var resumed = WindowSampler(shard: shard, seed: 999)
        try resumed.restore(state: saved)
        #expect(try (0 ..< 4).map { _ in try Self.batch(&resumed, rows: 3, length: 17) } == next)
        #expect(resumed.state == a.state)
        #expect(throws: TokenDataError.badSamplerState(reason: "expected 4 state words, got 3")) { try resumed.restore(state: [1, 2, 3]) }
        #expect(throws: TokenDataError.self) { try resumed.restore(state: [0, 0, 0, 0]) }
    }

    @Test func everyStartIsReachable() throws {
        let shard = try Self.shard(count: 12)
        var s = WindowSampler(shard: shard, seed: 3)
        var seen = Set<Int>()
        for _ in 0 ..< 500 { seen.insert(try s.nextStart(length: 9)) }
        #expect(seen == Set(0 ... 3))
        #expect(try s.nextStart(length: 12) == 0)
        #expect(throws: TokenDataError.shardTooShort(path: shard.path, tokens: 12, needed: 13)) { try s.nextStart(length: 13) }
    }

    @Test func validationWindowsAreFixedAndEvenlySpaced() throws {
        let shard = try Self.shard(count: 1001)
        let w = try WindowSampler.validationWindows(in: shard, count: 5, length: 101)
        #expect(w == [0, 225, 450, 675, 900])
        #expect(try WindowSampler(shard: shard, seed: 1).validationWindows(count: 5, length: 101) == w)
        #expect(try WindowSampler.validationWindows(in: shard, count: 1, length: 10) == [0])
        // Fewer distinct starts than asked: each start once.
        #expect(try WindowSampler.validationWindows(in: shard, count: 50, length: 990) == Array(0 ... 11))
        #expect(throws: TokenDataError.self) { try WindowSampler.validationWindows(in: shard, count: 2, length: 1002) }
    }
}
