import Foundation
import KingletGGUF
import KingletRuntime

/// Where a generation run's teacher comes from.
public enum TeacherSource: Sendable, Equatable {
    /// A model run in this process. `model`: a known model name (pulled on first use) or a
    /// .gguf path; `threads` nil: the physical cores; `context` nil: the model's; `scoreTopK`:
    /// log-probabilities kept per generated position as it samples (0: none, left to scoring).
    case local(model: String, threads: Int? = nil, context: Int? = nil, scoreTopK: Int = 32)
    /// An OpenAI-compatible server. `tokenizer`: the model (name or .gguf) whose tokenizer and chat
    /// template give the token ids, which must be the teacher's (nil: `model`); `retries`: tries
    /// per request on 429, 5xx and connection errors.
    case remote(url: URL, model: String, apiKey: String? = nil, tokenizer: String? = nil, retries: Int = 6)

    /// The teacher, loaded: `concurrency` sequences decoded together (local) or requests in
    /// flight (remote).
    public func makeTeacher(concurrency: Int, store: ModelStore = ModelStore(),
                            events: DistillEventHandler = { _ in }) throws -> any Teacher {
        switch self {
        case let .local(model, threads, context, scoreTopK):
            guard (0 ... 1 << 16).contains(scoreTopK) else {
                throw DistillPipelineError.invalidSetting(name: "scoreTopK", requirement: "between 0 and 65536 (it is \(scoreTopK))")
            }
            let path = try store.resolve(model) { events(.message($0)) }
            let engine = try Engine(path: path.path, options: EngineOptions(threads: threads, contextLength: context))
            events(.teacherLoaded(file: path.lastPathComponent, seconds: engine.loadSeconds, threads: engine.pool.threadCount,
                                  concurrency: concurrency))
            return LocalTeacher(engine: engine, name: ModelStore.modelName(model), concurrency: concurrency,
                                scoreTopK: scoreTopK > 0 ? scoreTopK : nil)
        case let .remote(url, model, apiKey, tokenizer, retries):
            let spec = tokenizer ?? model
            let path: URL
            do { path = try store.resolve(spec) { events(.message($0)) } } catch {
                throw DistillPipelineError.remoteTokenizerNotFound(spec: spec, reason: (error as? LocalizedError)?.errorDescription ?? "\(error)")
            }
            let local = try TeacherTokenizer(gguf: try GGUFFile(path: path.path))
            return RemoteTeacher(url: url, model: model, apiKey: apiKey, tokenizer: local, concurrency: concurrency,
                                 retry: RetryPolicy(maxAttempts: retries))
        }
    }
}
