import Foundation
import KingletTokenizer
import Testing

/// llama.cpp's own ids for the texts in `Tests/Data/golden/<model>/tokenize` (made with
/// scripts/llama-reference: the model's default BOS handling, special tokens parsed).
struct GoldenTokenizeModel: Sendable, CustomTestStringConvertible {
    let tokenizer: ModelTokenizer
    let directory: URL
    let minimumCases: Int
    var testDescription: String { tokenizer.name }

    static let all = [
        GoldenTokenizeModel(tokenizer: .smolLM2, directory: TestData.golden("smollm2-135m-instruct-q4_1"), minimumCases: 12),
        GoldenTokenizeModel(tokenizer: .gemma3, directory: TestData.golden("gemma3-270m-q4_k_m"), minimumCases: 20),
    ]

    var cases: [GoldenCase] { GoldenCase.load(directory.appendingPathComponent("tokenize")) }
}

@Suite("Golden: tokenize like llama.cpp")
struct GoldenTokenizeTests {
    @Test("the golden directory holds the expected cases", arguments: GoldenTokenizeModel.all)
    func casesArePresent(_ model: GoldenTokenizeModel) {
        #expect(model.cases.count >= model.minimumCases, "found \(model.cases.count) cases in \(model.directory.path)")
    }

    @Test("encodes exactly as llama.cpp", arguments: GoldenTokenizeModel.all)
    func encode(_ model: GoldenTokenizeModel) throws {
        guard let tok = model.tokenizer.tokenizer() else { return }
        for c in model.cases {
            let text = String(decoding: c.text, as: UTF8.self)
            #expect(tok.encode(text) == c.ids, "\(model.tokenizer.name) \(c.name): \(text.debugDescription)")
        }
    }

    /// Decoding gives back the text (after the BOS the model adds, which has no text).
    @Test("decodes back to the same bytes", arguments: GoldenTokenizeModel.all)
    func roundTrip(_ model: GoldenTokenizeModel) throws {
        guard let tok = model.tokenizer.tokenizer() else { return }
        for c in model.cases {
            let ids = tok.addBOS && c.ids.first == tok.bos ? Array(c.ids.dropFirst()) : c.ids
            #expect(tok.decodeBytes(ids) == c.text, "\(model.tokenizer.name) \(c.name)")
        }
    }
}
