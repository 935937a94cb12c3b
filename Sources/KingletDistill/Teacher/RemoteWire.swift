import Foundation

// The OpenAI chat-completions shapes a remote teacher sends and reads (only the fields used).

/// `POST /v1/chat/completions` body.
struct ChatRequestBody: Encodable {
    struct Message: Encodable {
        var role: String
        var content: String
    }
    var model: String
    var messages: [Message]
    var maxTokens: Int
    var temperature: Float
    var topP: Float
    var seed: Int64
    var frequencyPenalty: Float?
    var presencePenalty: Float?
    var logprobs: Bool?
    var topLogprobs: Int?
    var stream = false

    enum CodingKeys: String, CodingKey {
        case model, messages, temperature, seed, logprobs, stream
        case maxTokens = "max_tokens", topP = "top_p", topLogprobs = "top_logprobs"
        case frequencyPenalty = "frequency_penalty", presencePenalty = "presence_penalty"
    }

    init(model: String, request r: TeacherRequest) {
        self.model = model
        messages = r.messages.map { Message(role: $0.role, content: $0.content) }
        maxTokens = r.maxTokens
        temperature = r.temperature
        topP = r.topP
        seed = Int64(bitPattern: r.seed)
        frequencyPenalty = r.frequencyPenalty == 0 ? nil : r.frequencyPenalty
        presencePenalty = r.presencePenalty == 0 ? nil : r.presencePenalty
        if let k = r.topLogprobs {
            logprobs = true
            topLogprobs = k
        }
    }
}

/// The response: the first choice's text, finish reason and logprobs.
struct ChatResponseBody: Decodable {
    struct Choice: Decodable {
        struct Message: Decodable { var content: String? }
        struct Logprobs: Decodable {
            struct Position: Decodable {
                /// The sampled token's text.
                var token: String?
                var topLogprobs: [TeacherLogprob]?
                enum CodingKeys: String, CodingKey { case token, topLogprobs = "top_logprobs" }
            }
            var content: [Position]?
        }
        var message: Message
        var finishReason: String?
        var logprobs: Logprobs?
        enum CodingKeys: String, CodingKey { case message, logprobs, finishReason = "finish_reason" }
    }
    var choices: [Choice]
}

/// An error body, `{"error": {"message": ...}}`, for the message in a typed error.
struct ErrorBody: Decodable {
    struct Detail: Decodable { var message: String? }
    var error: Detail?

    /// The server's message, else the body's start.
    static func message(from data: Data) -> String {
        if let m = (try? JSONDecoder().decode(ErrorBody.self, from: data))?.error?.message, !m.isEmpty { return m }
        let text = String(decoding: data.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "(empty body)" : text
    }
}
