import Foundation
import Testing
@testable import KingletRuntime

/// The digests a pull checks: swift-crypto's SHA-256, written as hex and as RECORD's base64.
@Suite struct DigestsTests {
    func hex(_ s: String) -> String { Digests.hex(Digests.sha256(Array(s.utf8))) }

    @Test func knownVectors() {
        #expect(hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func recordStyleBase64() {
        // RECORD's digest of the empty file
        #expect(Digests.urlSafeBase64(Digests.sha256([])) == "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU")
        // against Foundation's base64 for every tail length
        for n in 0 ..< 8 {
            let bytes = (0 ..< n).map { UInt8(truncatingIfNeeded: $0 &* 97 &+ 13) }
            let want = Data(bytes).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
            #expect(Digests.urlSafeBase64(bytes) == want)
        }
    }

    @Test func fileDigestStreamsInPieces() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-digest-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        let bytes = (0 ..< (9 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }  // more than two 4 MiB pieces
        try Data(bytes).write(to: url)
        #expect(try ModelStore.sha256(of: url, progress: { _ in }) == Digests.sha256(bytes))
    }
}
