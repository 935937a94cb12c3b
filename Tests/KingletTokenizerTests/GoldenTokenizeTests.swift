import Foundation
import KingletTokenizer
import Testing

/// llama.cpp's own ids for the texts in `Tests/Data/golden/.../tokenize`.
@Suite("Golden: SmolLM2 tokenize")
struct GoldenTokenizeTests {
    static let directory = TestData.smolLM2Golden.appendingPathComponent("tokenize")
    static let cases = GoldenCase.load(directory)

    @Test("the golden directory holds the expected cases")
    func casesArePresent() {
        #expect(Self.cases.count >= 12, "found \(Self.cases.count) cases in \(Self.directory.path)")
    }

    @Test("encodes exactly as llama.cpp", arguments: cases)
    func encode(_ c: GoldenCase) throws {
        guard let tok = SmolLM2Fixture.tokenizer() else { return }
        let text = String(decoding: c.text, as: UTF8.self)
        #expect(tok.encode(text) == c.ids)
    }

    @Test("decodes back to the same bytes", arguments: cases)
    func roundTrip(_ c: GoldenCase) throws {
        guard let tok = SmolLM2Fixture.tokenizer() else { return }
        #expect(tok.decodeBytes(c.ids) == c.text)
    }
}
