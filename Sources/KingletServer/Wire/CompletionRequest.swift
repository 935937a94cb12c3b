/// `POST /v1/completions` body (the legacy text completion): one prompt, one choice.
struct CompletionRequest: Decodable, Sendable {
    var model: String?
    var prompt: StringOrList
    var stream: Bool?
    var streamOptions: ChatCompletionRequest.StreamOptions?
    /// Number of alternatives per token (OpenAI: 0...5, here up to 20); nil: no logprobs.
    var logprobs: Int?
    var echo: Bool?
    var bestOf: Int?
    var sampling: SamplingFields
    /// Whether `response_format`, `grammar` or `json_schema` is present (`ConstraintFields` reads them).
    var hasConstraintFields = false

    enum CodingKeys: String, CodingKey {
        case model, prompt, stream, logprobs, echo
        case streamOptions = "stream_options", maxTokens = "max_tokens", bestOf = "best_of"
        case responseFormat = "response_format", grammar, jsonSchema = "json_schema"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        hasConstraintFields = c.contains(.responseFormat) || c.contains(.grammar) || c.contains(.jsonSchema)
        model = try c.decodeIfPresent(String.self, forKey: .model)
        prompt = try c.decode(StringOrList.self, forKey: .prompt)
        stream = try c.decodeIfPresent(Bool.self, forKey: .stream)
        streamOptions = try c.decodeIfPresent(ChatCompletionRequest.StreamOptions.self, forKey: .streamOptions)
        logprobs = try c.decodeIfPresent(Int.self, forKey: .logprobs)
        echo = try c.decodeIfPresent(Bool.self, forKey: .echo)
        bestOf = try c.decodeIfPresent(Int.self, forKey: .bestOf)
        sampling = try SamplingFields(from: decoder,
                                      maxTokens: try c.decodeIfPresent(Int.self, forKey: .maxTokens) ?? 16)  // OpenAI's default for completions
    }

    /// The one prompt text; refuses batches, `echo` and `best_of` > 1.
    func promptText() throws(APIError) -> String {
        if echo == true { throw .invalid("'echo' is not supported.", param: "echo") }
        if let b = bestOf, b != 1 { throw .invalid("'best_of' must be 1 (got \(b)).", param: "best_of") }
        let prompts = prompt.values
        guard prompts.count == 1 else {
            throw .invalid("'prompt' must be one string (got \(prompts.count)); send one request per prompt.", param: "prompt")
        }
        guard !prompts[0].isEmpty else { throw .invalid("'prompt' is empty.", param: "prompt") }
        return prompts[0]
    }

    func logprobCount() throws(APIError) -> Int? {
        guard let k = logprobs else { return nil }
        guard (0 ... 20).contains(k) else { throw .invalid("'logprobs' must be between 0 and 20 (got \(k)).", param: "logprobs") }
        return k
    }
}
