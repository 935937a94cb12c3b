import Foundation
import Testing

/// Where the real models used by tests live, and one place to say how to get them.
///
/// A missing model fails the test that needs it (it never skips silently), with the command that
/// fetches it.
enum TestModels {
    /// `$KINGLET_HOME`, defaulting to `~/.cache/kinglet`.
    static var kingletHome: String {
        let env = ProcessInfo.processInfo.environment
        if let home = env["KINGLET_HOME"], !home.isEmpty { return home }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/kinglet").path
    }

    /// SmolLM2-135M-Instruct Q4_1: `$KINGLET_TEST_MODEL_SMOLLM2`, else
    /// `$KINGLET_HOME/models/smollm2-135m/SmolLM2-135M-Instruct.Q4_1.gguf`.
    static var smolLM2Path: String {
        if let p = ProcessInfo.processInfo.environment["KINGLET_TEST_MODEL_SMOLLM2"], !p.isEmpty { return p }
        return kingletHome + "/models/smollm2-135m/SmolLM2-135M-Instruct.Q4_1.gguf"
    }

    /// The SmolLM2 path if the file exists; otherwise records a failure that says how to get it.
    static func requireSmolLM2(sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        let path = smolLM2Path
        guard FileManager.default.fileExists(atPath: path) else {
            Issue.record(
                """
                Test model not found at \(path).
                Run `swift run kinglet pull smollm2-135m`, or set KINGLET_TEST_MODEL_SMOLLM2 to the path of \
                SmolLM2-135M-Instruct.Q4_1.gguf.
                """, sourceLocation: sourceLocation)
            return nil
        }
        return path
    }
}

/// Test data shipped in the repository (`Tests/Data`), found relative to this source file.
enum TestData {
    static var root: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // KingletTokenizerTests
            .deletingLastPathComponent()  // Tests
            .appendingPathComponent("Data")
    }

    static var smolLM2Golden: URL {
        root.appendingPathComponent("golden/smollm2-135m-instruct-q4_1")
    }
}
