import Foundation
import KingletChatTemplate
import KingletRuntime

/// Turns a conversation into prompt tokens with the served chat template, off Swift's
/// cooperative threads and under a deadline.
///
/// A template is code from a model file or `--chat-template-file`, and a request's messages
/// choose the path through it: a hostile template (or message) can run for a long time. Run
/// inline, that would hold one of the few threads every request shares. Here each render has a
/// thread of its own and the request is answered 500 at the deadline. A render still running
/// past its deadline is "stuck" (the interpreter cannot be interrupted); while `maxStuck` are,
/// new requests get 503 at once instead of more threads spinning.
final class PromptRenderer: @unchecked Sendable {
    let formatter: ChatFormatter
    let timeout: Double
    let maxStuck: Int
    /// Renders at once (a burst of requests; each render takes about a millisecond).
    let maxRunning: Int
    private let lock = NSLock()
    private var running = 0
    private var stuck = 0

    init(formatter: ChatFormatter, timeout: Double, maxStuck: Int = 4, maxRunning: Int = 256) {
        self.formatter = formatter
        self.timeout = timeout
        self.maxStuck = maxStuck
        self.maxRunning = maxRunning
    }

    /// The prompt tokens for `messages` (and `tools`, for the template's `tools` variable),
    /// ending with the assistant's turn opening.
    func prompt(_ messages: [ChatMessage], tools: [TemplateValue]? = nil, engine: Engine) async throws(APIError) -> [Int32] {
        let formatter = self.formatter
        let result = await runDetached {
            // The template places BOS; text in the messages never becomes a special token.
            try formatter.promptTokens(messages, tokenizer: engine.tokenizer, tools: tools)
        }
        switch result {
        case .success(let tokens): return tokens
        case .failure(let e as APIError): throw e
        case .failure(let e):
            throw .invalid("The chat template failed on these messages: \((e as? LocalizedError)?.errorDescription ?? "\(e)")",
                           param: "messages", code: "chat_template_error")
        }
    }

    /// `work` on a thread of its own; `.failure(APIError)` when it is late or cannot start.
    private func runDetached<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async -> Result<T, any Error> {
        let refusal: APIError? = lock.withLock {
            if stuck >= maxStuck {
                return APIError(status: .serviceUnavailable,
                                message: "\(stuck) chat template renders ran past their \(timeout.plainText) s deadline and are still running; the server takes no more until they end. The template (or messages sent to it) loops too long.",
                                type: "server_error", code: "chat_template_busy")
            }
            if running >= maxRunning {
                return APIError(status: .serviceUnavailable, message: "\(running) chat templates are rendering at once. Retry in a moment.",
                                type: "server_error", code: "chat_template_busy")
            }
            running += 1
            return nil
        }
        if let refusal { return .failure(refusal) }
        let seconds = timeout
        return await withCheckedContinuation { continuation in
            let job = RenderJob(continuation)
            let thread = Thread { [self] in
                let r = Result { try work() }
                lock.withLock {
                    running -= 1
                    if job.late { stuck -= 1 }
                    job.finished = true
                }
                job.resume(r)
            }
            thread.stackSize = 8 << 20  // templates recurse (macros, nested loops)
            thread.start()
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [self] in
                lock.withLock {
                    if !job.finished { job.late = true; stuck += 1 }
                }
                job.resume(.failure(APIError(status: .internalServerError,
                                             message: "The chat template did not finish rendering these messages within \(seconds.plainText) s.",
                                             type: "server_error", param: "messages", code: "chat_template_timeout")))
            }
        }
    }
}

/// One render: resumes its request with the first result given (the render's or the deadline's).
/// `finished` and `late` are guarded by the renderer's lock.
private final class RenderJob<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Result<T, any Error>, Never>?
    var finished = false
    var late = false

    init(_ c: CheckedContinuation<Result<T, any Error>, Never>) { continuation = c }

    func resume(_ result: Result<T, any Error>) {
        let c: CheckedContinuation<Result<T, any Error>, Never>? = lock.withLock {
            defer { continuation = nil }
            return continuation
        }
        c?.resume(returning: result)
    }
}
