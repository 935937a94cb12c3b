import Foundation
import KingletGGUF
import KingletTestSupport
import KingletTokenizer
import Testing

/// The SmolLM2 tokenizer, loaded once per test process (the model is pulled on first use).
enum SmolLM2Fixture {
    private static let configuration: Result<TokenizerConfiguration, any Error> = Result {
        let path = try TestModelFiles.smolLM2Result.get()
        return try TokenizerConfiguration(gguf: GGUFFile(path: path))
    }
    private static let loaded: Result<Tokenizer, any Error> = configuration.flatMap { c in
        Result { try Tokenizer(c) }
    }

    /// The file's tokenizer configuration (to rebuild with another pre-tokenizer, say).
    static func configuration(sourceLocation: SourceLocation = #_sourceLocation) -> TokenizerConfiguration? {
        switch configuration {
        case .success(let c): return c
        case .failure(let e):
            Issue.record("reading SmolLM2's tokenizer failed: \(e)", sourceLocation: sourceLocation)
            return nil
        }
    }

    /// The tokenizer, or nil after recording why it is unavailable (missing model, load error).
    static func tokenizer(sourceLocation: SourceLocation = #_sourceLocation) -> Tokenizer? {
        switch loaded {
        case .success(let t): return t
        case .failure(let e):
            Issue.record("loading SmolLM2's tokenizer failed: \(e)", sourceLocation: sourceLocation)
            return nil
        }
    }
}

/// One golden case: `NN.txt` (exact bytes) and `NN.ids` (llama.cpp's ids).
struct GoldenCase: CustomTestStringConvertible, Sendable {
    let name: String
    let text: [UInt8]
    let ids: [Int32]

    var testDescription: String { name }

    /// Every `*.txt` with a matching `*.ids` under `directory`, sorted by name.
    static func load(_ directory: URL) -> [GoldenCase] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".txt") }.sorted().compactMap { file in
            let stem = String(file.dropLast(4))
            guard let text = try? Data(contentsOf: directory.appendingPathComponent(file)),
                  let idText = try? String(contentsOf: directory.appendingPathComponent(stem + ".ids"), encoding: .utf8)
            else { return nil }
            let ids = idText.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Int32($0) }
            return GoldenCase(name: stem, text: Array(text), ids: ids)
        }
    }
}
