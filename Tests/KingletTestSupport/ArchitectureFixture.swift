import Foundation

/// A tiny random-weight model of one architecture with llama.cpp's outputs for it, committed under
/// `Tests/Data/architectures/<arch>/`: `model.gguf`, `reference.json` (`tokens`, `positions`,
/// `vocab`, `prompt_ids`, `generated_ids`, `top2_margins`) and `logits.f32` (llama.cpp's
/// teacher-forced logits of `tokens`, little-endian f32 [positions, vocab]).
public struct ArchitectureFixture: Sendable {
    public let architecture: String
    public let directory: URL
    public let tokens: [Int32]
    public let vocabularySize: Int
    /// llama.cpp's logits of every position of `tokens`, one batch. [positions][V]
    public let logits: [[Float]]
    /// llama.cpp's greedy continuation of `promptIDs`, with each step's top-two logit margin.
    public let promptIDs: [Int32]
    public let generatedIDs: [Int32]
    public let margins: [Float]

    public var modelPath: String { directory.appendingPathComponent("model.gguf").path }

    private struct Reference: Decodable {
        let tokens: [Int32]
        let positions: Int
        let vocab: Int
        let logits_file: String
        let prompt_ids: [Int32]
        let generated_ids: [Int32]
        let top2_margins: [Float]
    }

    /// The repository's `Tests/Data/architectures`.
    public static var root: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // KingletTestSupport
            .deletingLastPathComponent()  // Tests
            .appendingPathComponent("Data/architectures")
    }

    public init(_ architecture: String) throws {
        self.architecture = architecture
        directory = Self.root.appendingPathComponent(architecture)
        let r = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: directory.appendingPathComponent("reference.json")))
        let raw = try Data(contentsOf: directory.appendingPathComponent(r.logits_file))
        guard raw.count == r.positions * r.vocab * 4, r.positions == r.tokens.count else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: r.logits_file])
        }
        let all = raw.withUnsafeBytes { b in (0 ..< r.positions * r.vocab).map { Float(bitPattern: UInt32(littleEndian: b.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) } }
        tokens = r.tokens
        vocabularySize = r.vocab
        logits = (0 ..< r.positions).map { Array(all[$0 * r.vocab ..< ($0 + 1) * r.vocab]) }
        promptIDs = r.prompt_ids
        generatedIDs = r.generated_ids
        margins = r.top2_margins
    }
}
