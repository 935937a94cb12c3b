import KingletRuntime
import Testing

/// The OpenAI mapping beside the parameters: the request fields ↔ `SamplingParameters`, and
/// OpenAI's narrower ranges on top of the runtime's rules.
@Suite struct SamplingOpenAITests {
    @Test func absentFieldsKeepTheRuntimeDefaults() {
        let p = SamplingParameters(openAITemperature: nil, topP: nil, presencePenalty: nil, frequencyPenalty: nil, seed: nil)
        #expect(p == SamplingParameters())
    }

    @Test func givenFieldsAreSetAndPenaltiesCoverTheWholeOutput() {
        let p = SamplingParameters(openAITemperature: 0.3, topP: 0.9, presencePenalty: 0.5, frequencyPenalty: -1, seed: 7)
        var expected = SamplingParameters()
        expected.temperature = 0.3
        expected.topP = 0.9
        expected.presencePenalty = 0.5
        expected.frequencyPenalty = -1
        expected.penaltyWindow = -1
        expected.seed = 7
        #expect(p == expected)
        let zero = SamplingParameters(openAITemperature: 1, topP: nil, presencePenalty: 0, frequencyPenalty: 0, seed: nil)
        #expect(zero.penaltyWindow == SamplingParameters().penaltyWindow, "no penalty: the window is left as it was")
    }

    @Test func fieldsNameTheirRequestFields() {
        let named: [SamplingError.Field: String] = [.temperature: "temperature", .topP: "top_p",
                                                    .presencePenalty: "presence_penalty", .frequencyPenalty: "frequency_penalty"]
        for field in SamplingError.Field.allCases { #expect(field.openAIName == named[field]) }
    }

    /// Temperature at most 2 and penalties within ±2, where the runtime alone takes any finite value.
    @Test func openAIRangesAreNarrower() throws {
        func openAI(_ t: Float? = nil, topP: Float? = nil, presence: Float? = nil, frequency: Float? = nil) -> SamplingParameters {
            SamplingParameters(openAITemperature: t, topP: topP, presencePenalty: presence, frequencyPenalty: frequency, seed: nil)
        }
        for ok in [openAI(0), openAI(2), openAI(topP: 1), openAI(presence: -2, frequency: 2), openAI(presence: 2, frequency: -2)] {
            try ok.validateOpenAI()
        }
        let refused: [(SamplingParameters, SamplingError)] = [
            (openAI(3), SamplingError(.temperature, value: Float(3), rule: "between 0 and 2")),
            (openAI(Float(2).nextUp), SamplingError(.temperature, value: Float(2).nextUp, rule: "between 0 and 2")),
            (openAI(-1), SamplingError(.temperature, value: Float(-1), rule: "between 0 and 2")),
            (openAI(topP: 1.5), SamplingError(.topP, value: Float(1.5), rule: "in (0, 1]")),
            (openAI(presence: 2.5), SamplingError(.presencePenalty, value: Float(2.5), rule: "between -2 and 2")),
            (openAI(frequency: -3), SamplingError(.frequencyPenalty, value: Float(-3), rule: "between -2 and 2")),
            (openAI(frequency: .nan), SamplingError(.frequencyPenalty, value: Float.nan, rule: "between -2 and 2")),
        ]
        for (p, e) in refused {
            #expect(throws: e) { try p.validateOpenAI() }
        }
        try openAI(3, presence: 2.5).validate()  // within the runtime's rules
    }

    /// A request's fields are checked in the order OpenAI lists them: temperature before top_p.
    @Test func theFirstBadFieldIsNamed() {
        let p = SamplingParameters(openAITemperature: 9, topP: 9, presencePenalty: 9, frequencyPenalty: 9, seed: nil)
        #expect(throws: SamplingError(.temperature, value: Float(9), rule: "between 0 and 2")) { try p.validateOpenAI() }
    }
}
