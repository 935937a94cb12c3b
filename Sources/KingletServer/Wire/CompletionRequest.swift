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
        case model, prompt, stream, logprobs, echo, temperature, seed, stop, n
        case streamOptions = "stream_options", topP = "top_p", maxTokens = "max_tokens", bestOf = "best_of"
        case presencePenalty = "presence_penalty", frequencyPenalty = "frequency_penalty"
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
        sampling = SamplingFields(
            maxTokens: try c.decodeIfPresent(Int.self, forKey: .maxTokens) ?? 16,  // OpenAI's default for completions
            temperature: try c.decodeIfPresent(Double.self, forKey: .temperature),
            topP: try c.decodeIfPresent(Double.self, forKey: .topP),
            seed: try c.decodeIfPresent(Int64.self, forKey: .seed),
            stop: try c.decodeIfPresent(StringOrList.self, forKey: .stop),
            presencePenalty: try c.decodeIfPresent(Double.self, forKey: .presencePenalty),
            frequencyPenalty: try c.decodeIfPresent(Double.self, forKey: .frequencyPenalty),
            n: try c.decodeIfPresent(Int.self, forKey: .n))
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
