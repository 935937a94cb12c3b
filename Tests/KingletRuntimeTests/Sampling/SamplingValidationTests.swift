import Foundation
import KingletRuntime
import Testing

/// `SamplingParameters.validate()`: every rule refuses its bad values (NaN, infinities, negatives,
/// out of range) naming the field, and accepts the values on its boundaries.
@Suite struct SamplingValidationTests {
    typealias Edit = @Sendable (inout SamplingParameters) -> Void

    /// Each field's values out of range.
    static let refused: [(SamplingError.Field, [Edit])] = [
        (.temperature, [{ $0.temperature = .nan }, { $0.temperature = .infinity }, { $0.temperature = -.infinity },
                        { $0.temperature = -0.001 }, { $0.temperature = -.leastNonzeroMagnitude }]),
        (.topK, [{ $0.topK = -1 }, { $0.topK = .min }]),
        (.topP, [{ $0.topP = .nan }, { $0.topP = .infinity }, { $0.topP = 0 }, { $0.topP = -0.5 }, { $0.topP = Float(1).nextUp }]),
        (.minP, [{ $0.minP = .nan }, { $0.minP = .infinity }, { $0.minP = -.leastNonzeroMagnitude }, { $0.minP = 1 }, { $0.minP = 2 }]),
        (.repeatPenalty, [{ $0.repeatPenalty = .nan }, { $0.repeatPenalty = .infinity }, { $0.repeatPenalty = 0 },
                          { $0.repeatPenalty = -1 }]),
        (.presencePenalty, [{ $0.presencePenalty = .nan }, { $0.presencePenalty = .infinity }, { $0.presencePenalty = -.infinity }]),
        (.frequencyPenalty, [{ $0.frequencyPenalty = .nan }, { $0.frequencyPenalty = .infinity }, { $0.frequencyPenalty = -.infinity }]),
        (.penaltyWindow, [{ $0.penaltyWindow = -2 }, { $0.penaltyWindow = .min }]),
    ]

    /// Values on or near each boundary that the rules accept.
    static let accepted: [Edit] = [
        { $0.temperature = 0 }, { $0.temperature = 5 }, { $0.temperature = .greatestFiniteMagnitude },
        { $0.topK = 0 }, { $0.topK = .max },
        { $0.topP = 1 }, { $0.topP = .leastNonzeroMagnitude },
        { $0.minP = 0 }, { $0.minP = Float(1).nextDown },
        { $0.repeatPenalty = .leastNonzeroMagnitude }, { $0.repeatPenalty = .greatestFiniteMagnitude },
        { $0.presencePenalty = -.greatestFiniteMagnitude }, { $0.frequencyPenalty = .greatestFiniteMagnitude },
        { $0.penaltyWindow = -1 }, { $0.penaltyWindow = 0 }, { $0.penaltyWindow = .max },
    ]

    @Test func defaultsAndGreedyAreValid() throws {
        try SamplingParameters().validate()
        try SamplingParameters.greedy.validate()
    }

    @Test func everyRuleRefusesItsBadValuesNamingTheField() {
        for (field, edits) in Self.refused {
            for (i, edit) in edits.enumerated() {
                var p = SamplingParameters()
                edit(&p)
                do throws(SamplingError) {
                    try p.validate()
                    Issue.record("\(field) value #\(i) was accepted")
                } catch {
                    #expect(error.field == field, "value #\(i) of \(field) blamed \(error.field)")
                }
            }
        }
    }

    @Test func boundariesAreAccepted() {
        for (i, edit) in Self.accepted.enumerated() {
            var p = SamplingParameters()
            edit(&p)
            #expect(throws: Never.self, "value #\(i)") { try p.validate() }
        }
    }

    @Test func theErrorStatesFieldValueRuleAndHint() {
        var p = SamplingParameters()
        p.topP = 1.5
        #expect(throws: SamplingError(.topP, value: Float(1.5), rule: "in (0, 1]")) { try p.validate() }
        p = SamplingParameters()
        p.topK = -3
        #expect(throws: SamplingError(.topK, value: -3, rule: "at least 0")) { try p.validate() }
        p = SamplingParameters()
        p.temperature = .nan
        do throws(SamplingError) {
            try p.validate()
            Issue.record("NaN temperature accepted")
        } catch {
            #expect(error.value == "nan")
            #expect(error.rule == "finite and at least 0")
            let text = error.errorDescription ?? ""
            #expect(text.contains("temperature") && text.contains("nan") && text.contains(error.rule) && text.contains(error.hint))
        }
    }

    /// The library speaks of the settings, not of any front end's knobs (no flags, no JSON fields).
    @Test func messagesNameNoFlagOrWireField() {
        for field in SamplingError.Field.allCases {
            let text = SamplingError(field, value: 0, rule: "x").errorDescription ?? ""
            #expect(!text.contains("--") && !text.contains("_"), "\(text)")
        }
    }
}
