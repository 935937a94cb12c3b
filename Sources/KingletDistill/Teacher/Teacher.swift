import Foundation
import KingletChatTemplate

/// One completion asked of a teacher: the conversation and how to sample the reply.
public struct TeacherRequest: Sendable, Equatable {
    /// The conversation the reply continues (rendered with the teacher's chat template).
    public var messages: [ChatMessage]
    /// At most this many new tokens.
    public var maxTokens: Int
    /// Sampling temperature (0: greedy).
    public var temperature: Float
    /// Nucleus threshold (1: off).
    public var topP: Float
    /// The sampling seed: the same request and seed give the same completion.
    public var seed: UInt64
    /// Report this many most likely alternatives per generated token (nil: none; at most 20).
    public var topLogprobs: Int?
    /// OpenAI's frequency and presence penalties (0: off), over the whole completion.
    public var frequencyPenalty: Float
    public var presencePenalty: Float

    /// A request; unset fields take the defaults of `kinglet distill generate`.
    public init(messages: [ChatMessage], maxTokens: Int = 256, temperature: Float = 0.8, topP: Float = 0.95,
                seed: UInt64 = 0, topLogprobs: Int? = nil, frequencyPenalty: Float = 0, presencePenalty: Float = 0) {
        self.messages = messages
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.topP = topP
        self.seed = seed
        self.topLogprobs = topLogprobs
        self.frequencyPenalty = frequencyPenalty
        self.presencePenalty = presencePenalty
    }
}

/// One alternative at a generated position, as OpenAI's `top_logprobs` lists it: the token's text
/// and its natural-log probability. Records keep them; `RemoteReply` and `ScoreRecordBuilder` turn
/// them into scores.
public struct TeacherLogprob: Sendable, Codable, Equatable {
    public var token: String
    public var logprob: Double

    public init(token: String, logprob: Double) {
        self.token = token
        self.logprob = logprob
    }
}

/// A teacher's reply to one request.
public struct TeacherCompletion: Sendable, Equatable {
    /// The reply text (without the end-of-generation token).
    public var text: String
    /// The chat-template-rendered prompt's token ids under the teacher's tokenizer.
    public var promptTokens: [Int]
    /// The reply's token ids under the teacher's tokenizer, ending with the end-of-generation
    /// token when generation stopped on it. A local teacher gives the exact sampled ids; a remote
    /// one the ids the server names in its logprobs when they spell the reply, else the text
    /// tokenized with the local tokenizer (plus the end token on `stop`): `RemoteReply`.
    public var completionTokens: [Int]
    /// `stop` (end of generation) or `length` (the token limit).
    public var finishReason: String
    /// Per generated token, the most likely alternatives (when asked for).
    public var topLogprobs: [[TeacherLogprob]]?
    /// Per completion token, the teacher's top-k log-probabilities at its position (a local
    /// teacher with `scoreTopK`; a remote one asked for `topLogprobs`, when its ids are the sampled
    /// ones); stored as the sample's teacher scores.
    public var scores: PositionScores?

    public init(text: String, promptTokens: [Int], completionTokens: [Int], finishReason: String,
                topLogprobs: [[TeacherLogprob]]? = nil, scores: PositionScores? = nil) {
        self.text = text
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.finishReason = finishReason
        self.topLogprobs = topLogprobs
        self.scores = scores
    }
}

/// A model that completes conversations: a local GGUF (`LocalTeacher`) or an OpenAI-compatible
/// endpoint (`RemoteTeacher`).
public protocol Teacher: Sendable {
    /// The teacher's name, recorded with every sample and part of its content hash.
    var name: String { get }

    /// Completes every request, many at once. `onEach(index, completion)` is called as each one
    /// finishes (in any order, on any thread), so finished work can be saved before the rest is
    /// done. Returns the completions in request order; throws on the first failure (completions
    /// already reported through `onEach` stay valid).
    func complete(_ requests: [TeacherRequest],
                  onEach: @escaping @Sendable (Int, TeacherCompletion) -> Void) async throws -> [TeacherCompletion]
}

extension Teacher {
    /// Completes every request; the completions in request order.
    public func complete(_ requests: [TeacherRequest]) async throws -> [TeacherCompletion] {
        try await complete(requests) { _, _ in }
    }
}

/// Errors of the teachers.
public enum TeacherError: Error, LocalizedError, Sendable, Equatable {
    /// The endpoint answered with an error status (after `attempts` tries for retryable ones).
    case http(status: Int, url: String, message: String, attempts: Int)
    /// The endpoint could not be reached (after `attempts` tries).
    case connection(url: String, reason: String, attempts: Int)
    /// The endpoint answered 200 with a body that is not a chat completion.
    case badResponse(url: String, reason: String)
    /// The local model failed on a prompt.
    case generation(reason: String)

    public var errorDescription: String? {
        switch self {
        case .http(let status, let url, let message, let attempts):
            let tries = attempts > 1 ? " (after \(attempts) attempts)" : ""
            let text = message.hasSuffix(".") ? String(message.dropLast()) : message
            return "the teacher at \(url) answered HTTP \(status)\(tries): \(text). " + Self.hint(status)
        case .connection(let url, let reason, let attempts):
            return "cannot reach the teacher at \(url) (after \(attempts) attempts): \(reason). "
                + "Check that the server runs and --teacher-url is right."
        case .badResponse(let url, let reason):
            return "the teacher at \(url) sent a response that is not an OpenAI chat completion: \(reason). "
                + "--teacher-url must point at an OpenAI-compatible server (POST /v1/chat/completions)."
        case .generation(let reason):
            return "the teacher model failed: \(reason)"
        }
    }

    static func hint(_ status: Int) -> String {
        switch status {
        case 401, 403: return "Check --api-key."
        case 404: return "Check --teacher-url and --teacher-model."
        case 400, 422: return "The server refused the request; check --max-tokens, --top-logprobs and the prompts."
        case 429: return "The server is rate limiting; lower --concurrency or try again later (a rerun resumes)."
        default: return status >= 500 ? "The server kept failing; try again later (a rerun resumes)." : ""
        }
    }
}
