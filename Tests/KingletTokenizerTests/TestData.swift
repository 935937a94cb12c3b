import Foundation

/// Test data shipped in the repository (`Tests/Data`), found relative to this source file.
enum TestData {
    static var root: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // KingletTokenizerTests
            .deletingLastPathComponent()  // Tests
            .appendingPathComponent("Data")
    }

    static var smolLM2Golden: URL { golden("smollm2-135m-instruct-q4_1") }

    /// llama.cpp's reference outputs for one real model.
    static func golden(_ model: String) -> URL { root.appendingPathComponent("golden").appendingPathComponent(model) }
}
