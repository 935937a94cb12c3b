import KingletRuntime

/// The generation fields chat and text completions share, checked and turned into runtime
/// parameters.
struct SamplingFields: Sendable {
    var maxTokens: Int?
    var temperature: Double?
    var topP: Double?
    var seed: Int64?
    var stop: StringOrList?
    var presencePenalty: Double?
    var frequencyPenalty: Double?
    var n: Int?

    /// Validates ranges (OpenAI's: `SamplingParameters.validateOpenAI`) and builds
    /// `GenerateParameters`. `maxTokensParam` names the field the limit came from, for the error;
    /// `limit` is the server's ceiling on it (also the limit when the request names none; nil:
    /// until the context is full).
    func parameters(maxTokensParam: String, limit: Int?) throws(APIError) -> GenerateParameters {
        if let n, n != 1 {
            throw .invalid("'n' must be 1: this server generates one choice per request (got \(n)). Send several requests instead.", param: "n")
        }
        var p = GenerateParameters()
        p.maxTokens = limit  // nil: until end of generation or the context is full, as OpenAI
        if let m = maxTokens {
            guard m >= 1 else { throw .invalid("'\(maxTokensParam)' must be at least 1 (got \(m)).", param: maxTokensParam) }
            if let limit, m > limit {
                throw .invalid("'\(maxTokensParam)' is \(m), above this server's limit of \(limit) tokens per request. Ask for at most \(limit), or start the server with a larger --max-tokens-limit.",
                               param: maxTokensParam, code: "max_tokens_above_limit")
            }
            p.maxTokens = m
        }
        let s = SamplingParameters(openAITemperature: temperature.map(Float.init), topP: topP.map(Float.init),
                                   presencePenalty: presencePenalty.map(Float.init),
                                   frequencyPenalty: frequencyPenalty.map(Float.init), seed: seed.map { UInt64(bitPattern: $0) })
        do throws(SamplingError) { try s.validateOpenAI() } catch { throw Self.apiError(error) }
        p.sampling = s
        let stops = stop?.values ?? []
        guard stops.count <= 16 else { throw .invalid("'stop' takes at most 16 strings (got \(stops.count)).", param: "stop") }
        p.stop = stops
        return p
    }

    /// A sampling setting out of OpenAI's range, named by its request field.
    static func apiError(_ e: SamplingError) -> APIError {
        guard let name = e.field.openAIName else { return .invalid(e.errorDescription ?? "\(e)") }
        return .invalid("'\(name)' must be \(e.rule) (got \(e.value)).", param: name)
    }
}

extension SamplingFields {
    /// The fields a chat completion and a text completion share, read from the request's own
    /// (flat) JSON object; `maxTokens` comes from the request, which names it its own way.
    init(from decoder: any Decoder, maxTokens: Int?) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        self.maxTokens = maxTokens
        temperature = try c.decodeIfPresent(Double.self, forKey: .temperature)
        topP = try c.decodeIfPresent(Double.self, forKey: .topP)
        seed = try c.decodeIfPresent(Int64.self, forKey: .seed)
        stop = try c.decodeIfPresent(StringOrList.self, forKey: .stop)
        presencePenalty = try c.decodeIfPresent(Double.self, forKey: .presencePenalty)
        frequencyPenalty = try c.decodeIfPresent(Double.self, forKey: .frequencyPenalty)
        n = try c.decodeIfPresent(Int.self, forKey: .n)
    }

    private enum Keys: String, CodingKey {
        case temperature, seed, stop, n, topP = "top_p", presencePenalty = "presence_penalty", frequencyPenalty = "frequency_penalty"
    }
}
