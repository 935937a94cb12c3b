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

    /// Validates ranges (OpenAI's) and builds `GenerateParameters`. `maxTokensParam` names the
    /// field the limit came from, for the error; `limit` is the server's ceiling on it (also the
    /// limit when the request names none; nil: until the context is full).
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
        var s = SamplingParameters()
        if let t = temperature {
            guard t.isFinite, (0 ... 2).contains(t) else { throw .invalid("'temperature' must be between 0 and 2 (got \(t)).", param: "temperature") }
            s.temperature = Float(t)
        }
        if let t = topP {
            guard t.isFinite, t > 0, t <= 1 else { throw .invalid("'top_p' must be in (0, 1] (got \(t)).", param: "top_p") }
            s.topP = Float(t)
        }
        if let v = presencePenalty {
            guard v.isFinite, (-2 ... 2).contains(v) else { throw .invalid("'presence_penalty' must be between -2 and 2 (got \(v)).", param: "presence_penalty") }
            s.presencePenalty = Float(v)
        }
        if let v = frequencyPenalty {
            guard v.isFinite, (-2 ... 2).contains(v) else { throw .invalid("'frequency_penalty' must be between -2 and 2 (got \(v)).", param: "frequency_penalty") }
            s.frequencyPenalty = Float(v)
        }
        if s.presencePenalty != 0 || s.frequencyPenalty != 0 { s.penaltyWindow = -1 }  // OpenAI: the whole output
        s.seed = seed.map { UInt64(bitPattern: $0) }
        p.sampling = s
        let stops = stop?.values ?? []
        guard stops.count <= 16 else { throw .invalid("'stop' takes at most 16 strings (got \(stops.count)).", param: "stop") }
        p.stop = stops
        return p
    }
}
