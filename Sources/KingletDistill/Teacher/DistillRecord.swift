import Foundation
import KingletChatTemplate
import KingletRuntime

/// One sample of a distillation dataset: a prompt and the teacher's completion, one JSON line of
/// `samples.jsonl`:
///
///     {"id": "…", "messages": [{"role": "user", "content": "…"}], "completion": "…",
///      "prompt_tokens": [1, 2], "completion_tokens": [3, 2], "finish_reason": "stop",
///      "teacher": "smollm2-135m", "top_logprobs": [[{"token": "Once", "logprob": -0.1}]]}
///
/// `top_logprobs` is present only when asked for: one list per generated token.
public struct DistillRecord: Sendable, Codable, Equatable {
    /// Hex content hash of the messages, the teacher's name and the generation parameters
    /// (`contentID`): the same request never pays twice.
    public var id: String
    public var messages: [ChatMessage]
    public var completion: String
    /// The chat-template-rendered prompt's ids under the teacher's tokenizer.
    public var promptTokens: [Int]
    /// The completion's ids, ending with the end-of-generation token on `stop`.
    public var completionTokens: [Int]
    /// `stop` or `length`.
    public var finishReason: String
    public var teacher: String
    public var topLogprobs: [[TeacherLogprob]]?

    enum CodingKeys: String, CodingKey {
        case id, messages, completion, teacher
        case promptTokens = "prompt_tokens", completionTokens = "completion_tokens"
        case finishReason = "finish_reason", topLogprobs = "top_logprobs"
    }

    public init(id: String, messages: [ChatMessage], completion: String, promptTokens: [Int], completionTokens: [Int],
                finishReason: String, teacher: String, topLogprobs: [[TeacherLogprob]]? = nil) {
        self.id = id
        self.messages = messages
        self.completion = completion
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.finishReason = finishReason
        self.teacher = teacher
        self.topLogprobs = topLogprobs
    }

    /// The record of `request`'s completion by `teacher`.
    public init(request: TeacherRequest, teacher: String, completion c: TeacherCompletion) {
        self.init(id: Self.contentID(request, teacher: teacher), messages: request.messages, completion: c.text,
                  promptTokens: c.promptTokens, completionTokens: c.completionTokens, finishReason: c.finishReason,
                  teacher: teacher, topLogprobs: c.topLogprobs)
    }

    /// The record as one line of JSON (no newline), fields in the documented order.
    public func jsonLine() throws -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var fields: [(CodingKeys, [UInt8])] = [
            (.id, Array(try e.encode(id))), (.messages, Array(try e.encode(messages))), (.completion, Array(try e.encode(completion))),
            (.promptTokens, Array(try e.encode(promptTokens))), (.completionTokens, Array(try e.encode(completionTokens))),
            (.finishReason, Array(try e.encode(finishReason))), (.teacher, Array(try e.encode(teacher))),
        ]
        if let topLogprobs { fields.append((.topLogprobs, Array(try e.encode(topLogprobs)))) }
        var line: [UInt8] = [UInt8(ascii: "{")]
        for (i, (key, value)) in fields.enumerated() {
            if i > 0 { line.append(UInt8(ascii: ",")) }
            line += Array("\"\(key.stringValue)\":".utf8) + value
        }
        line.append(UInt8(ascii: "}"))
        return line
    }

    /// The content hash: SHA-256 (first 128 bits, hex) of a canonical JSON of the messages, the
    /// teacher's name and every generation parameter, the seed included.
    public static func contentID(_ r: TeacherRequest, teacher: String) -> String {
        struct Key: Encodable {
            var messages: [ChatMessage]
            var teacher: String
            var maxTokens: Int
            var temperature: Float
            var topP: Float
            var seed: UInt64
            var topLogprobs: Int?
            var frequencyPenalty: Float
            var presencePenalty: Float
        }
        let key = Key(messages: r.messages, teacher: teacher, maxTokens: r.maxTokens, temperature: r.temperature, topP: r.topP,
                      seed: r.seed, topLogprobs: r.topLogprobs, frequencyPenalty: r.frequencyPenalty,
                      presencePenalty: r.presencePenalty)
        return hex(sha256(canonicalJSON(key)).prefix(16))
    }

    /// JSON with sorted keys: the same value always gives the same bytes.
    static func canonicalJSON(_ value: some Encodable) -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding these plain structs cannot fail.
        return Array((try? e.encode(value)) ?? Data())
    }

    static func sha256(_ bytes: [UInt8]) -> [UInt8] { Digests.sha256(bytes) }

    static func hex(_ bytes: some Sequence<UInt8>) -> String { Digests.hex(bytes) }
}
