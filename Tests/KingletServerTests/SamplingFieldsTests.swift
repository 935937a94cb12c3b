import Testing
@testable import KingletRuntime
@testable import KingletServer

/// A request's sampling fields, checked by the runtime's OpenAI rules (`validateOpenAI`): an
/// out-of-range value is a 400 naming its request field, in the server's words.
@Suite struct SamplingFieldsTests {
    static func check(_ fields: SamplingFields) throws(APIError) -> GenerateParameters {
        try fields.parameters(maxTokensParam: "max_tokens", limit: nil)
    }

    @Test func outOfRangeValuesNameTheirField() {
        let cases: [(SamplingFields, APIError)] = [
            (SamplingFields(temperature: 3), .invalid("'temperature' must be between 0 and 2 (got 3.0).", param: "temperature")),
            (SamplingFields(temperature: -0.5), .invalid("'temperature' must be between 0 and 2 (got -0.5).", param: "temperature")),
            (SamplingFields(topP: 0), .invalid("'top_p' must be in (0, 1] (got 0.0).", param: "top_p")),
            (SamplingFields(topP: 1.5), .invalid("'top_p' must be in (0, 1] (got 1.5).", param: "top_p")),
            (SamplingFields(presencePenalty: 2.5), .invalid("'presence_penalty' must be between -2 and 2 (got 2.5).", param: "presence_penalty")),
            (SamplingFields(frequencyPenalty: -3), .invalid("'frequency_penalty' must be between -2 and 2 (got -3.0).", param: "frequency_penalty")),
        ]
        for (fields, error) in cases {
            #expect(throws: error) { try Self.check(fields) }
        }
    }

    @Test func boundariesAreAcceptedAsOpenAIMeansThem() throws {
        let p = try Self.check(SamplingFields(temperature: 2, topP: 1, seed: -1, presencePenalty: -2, frequencyPenalty: 2))
        #expect(p.sampling.temperature == 2 && p.sampling.topP == 1)
        #expect(p.sampling.penaltyWindow == -1, "OpenAI's penalties cover the whole output")
        #expect(p.sampling.seed == UInt64.max)
        #expect(try Self.check(SamplingFields()).sampling == SamplingParameters())
    }
}
