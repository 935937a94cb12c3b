import Foundation
import KingletArchitectures
import KingletGGUF
import KingletKernels
import KingletTokenizer
import Testing

/// The real SmolLM2 file parsed whole, then truncated and corrupted: every outcome must be a
/// parsed file or a typed `GGUFError` — never a crash or an out-of-bounds read.
@Suite struct GGUFRealFileTests {
    static func bytes() throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: TestModels.smollm2)))
    }

    static func parse(_ b: [UInt8]) throws(GGUFError) -> GGUFFile {
        let box = Box(b)
        return try GGUFFile(bytes: box.buffer, owner: box)
    }

    final class Box {
        let buffer: UnsafeRawBufferPointer
        init(_ b: [UInt8]) {
            let p = UnsafeMutableRawBufferPointer.allocate(byteCount: max(b.count, 1), alignment: 64)
            p.copyBytes(from: b)
            buffer = UnsafeRawBufferPointer(rebasing: p[0 ..< b.count])
        }
        deinit { UnsafeMutableRawPointer(mutating: buffer.baseAddress!).deallocate() }
    }

    @Test func realFileHasTheExpectedDirectory() throws {
        let f = try GGUFFile(path: TestModels.smollm2)
        #expect(f.version == 3)
        #expect(f.architecture == "llama")
        #expect(f.tensorInfos.count == 273 - 1)
        var types: [GGMLType: Int] = [:]
        for t in f.tensorInfos { types[t.type, default: 0] += 1 }
        #expect(types == [.q4_1: 210, .f32: 61, .q8_0: 1])
        #expect(try f.strings("tokenizer.ggml.tokens").count == 49152)
        #expect(try f.strings("tokenizer.ggml.merges").count == 48900)
        #expect(try f.tensor("token_embd.weight").dims == [576, 49152])
    }

    @Test func truncationsGiveTypedErrors() throws {
        let all = try Self.bytes()
        let header = try Self.parse(all).dataOffset
        // Every 997th byte of the header and metadata, then a spread through the tensor data.
        var cuts = Array(stride(from: 0, to: header, by: 997))
        cuts += stride(from: header, to: all.count, by: all.count / 16)
        for n in cuts {
            do {
                _ = try Self.parse(Array(all[0 ..< n]))
                Issue.record("file truncated to \(n) bytes was accepted")
            } catch {
                // a typed GGUFError is the expected outcome
            }
        }
    }

    @Test func randomByteFlipsNeverCrash() throws {
        let all = try Self.bytes()
        let header = try Self.parse(all).dataOffset
        var rng = SystemRandomNumberGenerator()
        var rejected = 0
        // One copy of the file, corrupted and restored in place for each trial.
        let box = Box(all)
        let bytes = UnsafeMutableRawBufferPointer(mutating: box.buffer)
        for trial in 0 ..< 200 {
            // Flip 1–8 random bytes of the header/metadata region, then restore them.
            var flipped: [(Int, UInt8)] = []
            for _ in 0 ..< (1 + trial % 8) {
                let at = Int.random(in: 0 ..< header, using: &rng)
                flipped.append((at, bytes[at]))
                bytes[at] ^= UInt8.random(in: 1 ... 255, using: &rng)
            }
            do {
                let f = try GGUFFile(bytes: box.buffer, owner: box)
                _ = try? f.strings("tokenizer.ggml.tokens")  // decode what may be corrupt
                _ = f.tensorInfos.count  // parsed: a value changed but the structure held
                if trial % 10 == 0 {
                    // The layers above must cope with corrupt values too: typed errors, no crash.
                    _ = try? Tokenizer(gguf: f)
                    _ = try? ArchitectureRegistry.load(f, options: ModelLoadOptions(contextLength: 64, pool: ThreadPool(threads: 1)))
                }
            } catch {
                rejected += 1
            }
            for (at, old) in flipped.reversed() { bytes[at] = old }
        }
        #expect(rejected > 0, "no corruption was ever detected, which is implausible")
    }
}

/// Our writer re-serialises the real model: metadata in order, tensors in order, same alignment.
@Suite struct GGUFRealRewriteTests {
    @Test func rewritingTheRealModelReproducesItsBytes() throws {
        let original = try Data(contentsOf: URL(fileURLWithPath: TestModels.smollm2))
        let f = try GGUFFile(path: TestModels.smollm2)
        var w = GGUFWriter()
        for k in f.metadataKeys { w.set(k, f.metadata[k]!) }
        for info in f.tensorInfos {
            let t = try f.tensor(info.name)
            w.addTensor(info.name, dims: info.dims, type: info.type, bytes: Array(t.data))
        }
        let rewritten = w.serialized()
        #expect(rewritten.count == original.count)
        #expect(rewritten == Array(original), "first difference at byte \(zip(rewritten, original).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? -1)")
    }
}
