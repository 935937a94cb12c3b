import Foundation
import Testing
@testable import KingletGGUF

/// Parses bytes held in an array (copied into a buffer that outlives the file object).
func parse(_ bytes: [UInt8]) throws(GGUFError) -> GGUFFile {
    let owner = ByteBox(bytes)
    return try GGUFFile(bytes: owner.buffer, owner: owner)
}

final class ByteBox {
    let buffer: UnsafeRawBufferPointer
    init(_ bytes: [UInt8]) {
        let p = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 64)
        p.copyBytes(from: bytes)
        buffer = UnsafeRawBufferPointer(rebasing: p[0 ..< bytes.count])
    }
    deinit { buffer.baseAddress.map { UnsafeMutableRawPointer(mutating: $0).deallocate() } }
}

@Suite struct GGUFRoundTripTests {
    static func sample() -> GGUFWriter {
        var w = GGUFWriter()
        w.set("general.architecture", "llama")
        w.set("u8", .uint8(200)); w.set("i8", .int8(-5)); w.set("u16", .uint16(65000)); w.set("i16", .int16(-300))
        w.set("u32", .uint32(4_000_000_000)); w.set("i32", .int32(-7)); w.set("f32", .float32(1.5))
        w.set("b", .bool(true)); w.set("s", .string("héllo 🎉"))
        w.set("u64", .uint64(1 << 40)); w.set("i64", .int64(-(1 << 40))); w.set("f64", .float64(2.25))
        w.set("strs", strings: ["a", "", "ü"])
        w.set("nested", .array(.array, [.array(.int32, [.int32(1), .int32(2)]), .array(.int32, [])]))
        w.addTensor("t.f32", dims: [4, 2], floats: [1, 2, 3, 4, 5, 6, 7, 8])
        w.addTensor("t.q8", dims: [32], type: .q8_0, bytes: Array(repeating: 1, count: 34))
        return w
    }

    @Test func everyValueTypeRoundTrips() throws {
        let w = Self.sample()
        let f = try parse(w.serialized())
        #expect(f.version == 3)
        #expect(f.metadataKeys == w.metadata.map(\.key))
        for (k, v) in w.metadata { #expect(f.metadata[k] == v, "key \(k)") }
        #expect(f.tensorInfos.count == 2)
        let t = try f.tensor("t.f32")
        #expect(t.dims == [4, 2])
        #expect(Array(t.data.bindMemory(to: Float.self)) == [1, 2, 3, 4, 5, 6, 7, 8])
        let q = try f.tensor("t.q8")
        #expect(q.type == .q8_0 && q.data.count == 34)
        #expect(Int(bitPattern: t.data.baseAddress!) % 32 == Int(bitPattern: f.tensorIfPresent("t.f32")!.data.baseAddress!) % 32)
        #expect((q.info.offset) % 32 == 0)
    }

    @Test func customAlignmentIsHonoured() throws {
        var w = Self.sample()
        w.set("general.alignment", .uint32(64))
        let f = try parse(w.serialized())
        #expect(f.alignment == 64)
        #expect(f.dataOffset % 64 == 0)
        #expect(f.tensorInfos.allSatisfy { $0.offset % 64 == 0 })
        #expect(Array(try f.tensor("t.f32").data.bindMemory(to: Float.self)) == [1, 2, 3, 4, 5, 6, 7, 8])
    }

    @Test func badAlignmentIsRejected() {
        var w = Self.sample()
        w.set("general.alignment", .uint32(48))
        #expect(throws: GGUFError.self) { try parse(w.serialized()) }
    }

    @Test func badMagicAndVersion() {
        var bytes = Self.sample().serialized()
        bytes[0] = UInt8(ascii: "X")
        #expect(throws: GGUFError.badMagic(found: 0x4655_4758)) { try parse(bytes) }
        bytes = Self.sample().serialized()
        bytes[4] = 9
        #expect(throws: GGUFError.unsupportedVersion(9)) { try parse(bytes) }
    }

    @Test func version2IsAccepted() throws {
        var bytes = Self.sample().serialized()
        bytes[4] = 2
        #expect(try parse(bytes).version == 2)
    }

    @Test func everyTruncationThrowsATypedError() {
        let bytes = Self.sample().serialized()
        // Only the padding after the last tensor's data may go missing.
        let full = try! parse(bytes)
        let needed = full.tensorInfos.map { full.dataOffset + $0.offset + $0.byteCount }.max()!
        #expect(needed > bytes.count - 32)
        for n in 0 ..< needed {
            do {
                _ = try parse(Array(bytes[0 ..< n]))
                Issue.record("truncation to \(n) bytes was accepted")
            } catch {
                // any GGUFError is fine; a crash or an accepted file is not
            }
        }
    }

    @Test func hugeCountsAreRejectedWithoutAllocating() {
        var bytes = Self.sample().serialized()
        // metadata count at offset 16: claim 2^60 entries
        withUnsafeBytes(of: UInt64(1 << 60).littleEndian) { for i in 0 ..< 8 { bytes[16 + i] = $0[i] } }
        #expect(throws: GGUFError.self) { try parse(bytes) }
    }

    @Test func tensorDataOutOfRangeIsRejected() throws {
        var w = GGUFWriter()
        w.addTensor("x", dims: [8], floats: Array(repeating: 0, count: 8))
        var bytes = w.serialized()
        bytes.removeLast(4)
        do {
            _ = try parse(bytes)
            Issue.record("accepted a file whose tensor data runs past the end")
        } catch let e {
            guard case .truncated = e else { Issue.record("wrong error \(e)"); return }
        }
    }

    @Test func errorsCarryAHint() {
        let e = GGUFError.truncated(offset: 12, reading: "tensor count")
        #expect(e.localizedDescription.contains("byte 12"))
        #expect(e.localizedDescription.contains("pull the model again"))
    }
}

@Suite struct GGMLTypeTests {
    @Test func namesAreGGMLs() {
        #expect(GGMLType.q4_1.description == "Q4_1")
        #expect(GGMLType.q6_K.description == "Q6_K")
        #expect(GGMLType.bf16.description == "BF16")
        #expect(Set(GGMLType.allCases.map(\.description)).count == GGMLType.allCases.count)
    }

    @Test func blockLayoutsArePinned() {
        #expect(GGMLType.q4_0.typeSize == 18 && GGMLType.q4_0.blockSize == 32)
        #expect(GGMLType.q4_1.typeSize == 20 && GGMLType.q8_0.typeSize == 34)
        #expect(GGMLType.q4_K.typeSize == 144 && GGMLType.q4_K.blockSize == 256)
        #expect(GGMLType.q6_K.typeSize == 210)
        #expect(GGMLType.q4_1.byteCount(elements: 64) == 40)
        #expect(GGMLType.q4_1.byteCount(elements: 33) == nil)
    }
}

@Suite struct GGUFLazyArrayTests {
    static func file() -> GGUFWriter {
        var w = GGUFWriter()
        w.set("tokens", strings: (0 ..< 3000).map { "tok\($0)" + ($0 % 7 == 0 ? "é🎉" : "") })
        w.set("types", .array(.int32, (0 ..< 2000).map { .int32(Int32($0 % 5)) }))
        w.set("small", strings: ["a", "b"])
        return w
    }

    @Test func largeArraysStayLazyAndDecodeExactly() throws {
        let w = Self.file()
        let f = try parse(w.serialized())
        guard case .lazyArray(let view)? = f.metadata["tokens"] else {
            Issue.record("a 3000-element array should stay lazy"); return
        }
        #expect(view.count == 3000)
        #expect(try f.strings("tokens") == (0 ..< 3000).map { "tok\($0)" + ($0 % 7 == 0 ? "é🎉" : "") })
        #expect(try f.ints("types") == (0 ..< 2000).map { $0 % 5 })
        #expect(f.metadata["types"]?.arrayCount == 2000)
        if case .array? = f.metadata["small"] {} else { Issue.record("small arrays are decoded eagerly") }
        for (k, v) in w.metadata { #expect(f.metadata[k] == v, "key \(k)") }
    }

    @Test func lazyArraysRewriteByteForByte() throws {
        let bytes = Self.file().serialized()
        let f = try parse(bytes)
        var w = GGUFWriter()
        for k in f.metadataKeys { w.set(k, f.metadata[k]!) }
        #expect(w.serialized() == bytes)
    }

    @Test func truncationInsideALazyArrayIsCaught() {
        let bytes = Self.file().serialized()
        for cut in stride(from: 40, to: bytes.count - 1, by: 211) {
            do {
                _ = try parse(Array(bytes[0 ..< cut]))
                Issue.record("truncated at \(cut) but parsed")
            } catch {}
        }
    }
}
