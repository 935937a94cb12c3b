import Foundation
import KingletGGUF
import KingletTokenizer
import Testing
@testable import KingletTraining

@Suite("Token shard files")
struct TokenShardFileTests {
    static func writeShard(_ tokens: [Int32], vocabularySize: Int = 300, fingerprint: UInt64 = 42, at url: URL) throws {
        let w = try TokenShardWriter(url: url, vocabularySize: vocabularySize, fingerprint: fingerprint)
        try w.appendDocument(tokens)
        try w.finish()
    }

    @Test func fourByteTokensForLargeVocabularies() throws {
        let url = try DataFixtures.temporaryDirectory().appendingPathComponent("big.ktok")
        let tokens: [Int32] = [0, 65535, 65536, 69_999, 7]
        try Self.writeShard(tokens, vocabularySize: 70_000, at: url)
        let shard = try TokenShard(url: url)
        #expect(shard.tokenWidth == 4 && shard.count == 5 && shard.vocabularySize == 70_000)
        #expect(shard.tokens(0 ..< 5) == tokens)
        #expect(shard.tokens(1 ..< 3) == [65535, 65536])
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        #expect((attributes[.size] as? NSNumber)?.intValue == 64 + 5 * 4)

        let small = url.deletingLastPathComponent().appendingPathComponent("small.ktok")
        try Self.writeShard([65535, 0], vocabularySize: 65536, at: small)
        #expect(try TokenShard(url: small).tokenWidth == 2)
        #expect(try TokenShard(url: small).tokens(0 ..< 2) == [65535, 0])
    }

    @Test func theFingerprintIdentifiesTheVocabulary() throws {
        let a = try DataFixtures.tokenizer()
        let config = DataFixtures.configuration()
        #expect(tokenizerFingerprint(a) == tokenizerFingerprint(tokens: config.tokens))
        // Another vocabulary (one extra token) and the same vocabulary with another split.
        #expect(tokenizerFingerprint(try DataFixtures.tokenizer(extraToken: "<extra>")) != tokenizerFingerprint(a))
        #expect(tokenizerFingerprint(try DataFixtures.tokenizer(pre: "smollm")) == tokenizerFingerprint(a))
        var swapped = config.tokens
        swapped.swapAt(260, 261)
        #expect(tokenizerFingerprint(tokens: swapped) != tokenizerFingerprint(a))
        // Boundaries matter: ["ab", "c"] is not ["a", "bc"].
        #expect(tokenizerFingerprint(tokens: ["ab", "c"]) != tokenizerFingerprint(tokens: ["a", "bc"]))
        #expect(fingerprintHex(0xAB) == "00000000000000ab")
        // FNV-1a 64 of "a" (published test vector).
        #expect(FNV1a.hash("a") == 0xaf63_dc4c_8601_ec8c)
    }

    @Test func aShardOfAnotherTokenizerIsRefused() throws {
        let dir = try DataFixtures.temporaryDirectory()
        let tokenizer = try DataFixtures.tokenizer()
        try DataFixtures.write("the cat\n", to: dir.appendingPathComponent("in/a.txt"))
        try DataFixtures.write("the hat\n", to: dir.appendingPathComponent("in/b.txt"))
        try TokenShardBuilder(tokenizer: tokenizer).build(inputs: [dir.appendingPathComponent("in")], outputDirectory: dir.appendingPathComponent("out"))
        let other = tokenizerFingerprint(try DataFixtures.tokenizer(extraToken: "<extra>"))
        let train = dir.appendingPathComponent("out/train.ktok")
        #expect(throws: TokenDataError.tokenizerMismatch(path: train.path, shard: tokenizerFingerprint(tokenizer), expected: other)) {
            try TokenShard(url: train, expectedFingerprint: other)
        }
        #expect(throws: TokenDataError.self) { try TokenDataset(directory: dir.appendingPathComponent("out"), expectedFingerprint: other) }
        let shard = try TokenShard(url: train)
        #expect(throws: TokenDataError.self) { try shard.requireFingerprint(other) }
        try shard.requireFingerprint(tokenizerFingerprint(tokenizer))
        do {
            _ = try TokenShard(url: train, expectedFingerprint: other)
        } catch {
            #expect(error.localizedDescription.contains(train.path))
            #expect(error.localizedDescription.contains("another tokenizer"))
        }
    }

    /// Damaged files are typed errors naming the file, never a crash.
    @Test func damagedShardsAreTypedErrors() throws {
        let dir = try DataFixtures.temporaryDirectory()
        let good = dir.appendingPathComponent("good.ktok")
        try Self.writeShard([1, 2, 3, 4, 5], at: good)
        let bytes = [UInt8](try Data(contentsOf: good))
        func variant(_ name: String, _ edit: (inout [UInt8]) -> Void) throws -> URL {
            var b = bytes
            edit(&b)
            let url = dir.appendingPathComponent(name)
            try Data(b).write(to: url)
            return url
        }
        let truncated = try variant("truncated.ktok") { $0.removeLast(3) }
        #expect(throws: TokenDataError.file(FileError(truncated.path, .tokenShard, .sizeMismatch(expected: 74, actual: 71)))) { try TokenShard(url: truncated) }
        let padded = try variant("padded.ktok") { $0 += [0, 0] }
        #expect(throws: TokenDataError.file(FileError(padded.path, .tokenShard, .sizeMismatch(expected: 74, actual: 76)))) { try TokenShard(url: padded) }
        let magic = try variant("magic.ktok") { $0[0] = 0x47 }
        #expect(throws: TokenDataError.file(FileError(magic.path, .tokenShard, .notThisFormat))) { try TokenShard(url: magic) }
        let short = try variant("short.ktok") { $0.removeLast($0.count - 20) }
        #expect(throws: TokenDataError.file(FileError(short.path, .tokenShard, .notThisFormat))) { try TokenShard(url: short) }
        let version = try variant("version.ktok") { $0[4] = 9 }
        #expect(throws: TokenDataError.file(FileError(version.path, .tokenShard, .unsupportedVersion(found: 9, reads: TokenShardFormat.version)))) { try TokenShard(url: version) }
        let width = try variant("width.ktok") { $0[8] = 4 }
        #expect(throws: TokenDataError.file(FileError(width.path, .tokenShard, .damaged("token width 4 for a vocabulary of 300")))) { try TokenShard(url: width) }
        let huge = try variant("huge.ktok") { $0[31] = 0x7F }
        #expect(throws: TokenDataError.self) { try TokenShard(url: huge) }
        let outOfRange = try variant("range.ktok") { $0[64 + 2 * 3] = 0x2C; $0[64 + 2 * 3 + 1] = 0x01 }  // token 3 = 300
        #expect(throws: TokenDataError.tokenOutOfRange(path: outOfRange.path, index: 3, token: 300, vocabularySize: 300)) {
            try TokenShard(url: outOfRange)
        }
        let missing = dir.appendingPathComponent("missing.ktok")
        #expect(throws: TokenDataError.self) { try TokenShard(url: missing) }
        do { _ = try TokenShard(url: truncated) } catch {
            #expect(error.localizedDescription.contains(truncated.path))
            #expect(error.localizedDescription.contains("Rebuild"))
        }
        #expect(try TokenShard(url: good).tokens(0 ..< 5) == [1, 2, 3, 4, 5])
    }

    /// An unfinished writer leaves nothing behind; a finished one replaces the file atomically.
    @Test func writersLeaveNoPartialFiles() throws {
        let dir = try DataFixtures.temporaryDirectory()
        let url = dir.appendingPathComponent("s.ktok")
        do {
            let w = try TokenShardWriter(url: url, vocabularySize: 300, fingerprint: 1)
            try w.appendDocument([1, 2, 3])
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
        try Self.writeShard([9, 8], at: url)
        try Self.writeShard([7], at: url)
        #expect(try TokenShard(url: url).tokens(0 ..< 1) == [7])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["s.ktok"])
    }
}
