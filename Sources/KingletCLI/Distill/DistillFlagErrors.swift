import Foundation
import Kinglet
import KingletDistill

/// The distill steps' library errors that a flag can fix, phrased for the command line.
enum DistillFlagErrors {
    /// Runs `body`, naming the flag to change in the errors that have one.
    static func naming<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let e as ResourceError {
            guard case .kvCacheTooLarge = e else { throw e }
            throw CLIError(text: "\(e.errorDescription ?? "\(e)") Pass a smaller --context (llama.cpp's default is 4096).")
        } catch DistillPipelineError.remoteTokenizerNotFound(let spec, let reason) {
            throw TokenizerNotFound(spec: spec, reason: reason)
        } catch let e as DistillBudgetError {
            switch e {
            case let .tooSmall(_, _, _, _, suggested):
                throw CLIError(text: "\(e.problem) Pass --budget-minutes \(suggested) or more, or fewer --seeds.")
            }
        }
    }
}

/// A remote teacher's `--tokenizer` (or `--teacher-model`) that names no model here.
struct TokenizerNotFound: Error, LocalizedError {
    var spec: String
    var reason: String
    var errorDescription: String? {
        "no local tokenizer for the remote teacher '\(spec)': \(reason) "
            + "Pass --tokenizer with the teacher's model name or GGUF path (token ids come from it)."
    }
}
