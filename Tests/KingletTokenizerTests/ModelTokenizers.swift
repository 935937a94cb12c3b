import Foundation
import KingletGGUF
import KingletTestSupport
import KingletTokenizer
import Testing

/// A real model's tokenizer, loaded once per test process (the model is pulled on first use).
final class ModelTokenizer: Sendable {
    let name: String
    private let configuration: Result<TokenizerConfiguration, any Error>
    private let loaded: Result<Tokenizer, any Error>

    init(name: String, path: Result<String, TestModelFiles.Unavailable>) {
        self.name = name
        let configuration: Result<TokenizerConfiguration, any Error> = path.mapError { $0 as any Error }.flatMap { path in
            Result { try TokenizerConfiguration(gguf: GGUFFile(path: path)) }
        }
        self.configuration = configuration
        loaded = configuration.flatMap { c in Result { try Tokenizer(c) } }
    }

    static let smolLM2 = ModelTokenizer(name: "SmolLM2", path: TestModelFiles.smolLM2Result)
    static let gemma3 = ModelTokenizer(name: "Gemma 3", path: TestModelFiles.gemma3Result)

    /// The file's tokenizer configuration (to rebuild with another pre-tokenizer, say).
    func configuration(sourceLocation: SourceLocation = #_sourceLocation) -> TokenizerConfiguration? {
        switch configuration {
        case .success(let c): return c
        case .failure(let e):
            Issue.record("reading \(name)'s tokenizer failed: \(e)", sourceLocation: sourceLocation)
            return nil
        }
    }

    /// The tokenizer, or nil after recording why it is unavailable (missing model, load error).
    func tokenizer(sourceLocation: SourceLocation = #_sourceLocation) -> Tokenizer? {
        switch loaded {
        case .success(let t): return t
        case .failure(let e):
            Issue.record("loading \(name)'s tokenizer failed: \(e)", sourceLocation: sourceLocation)
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
