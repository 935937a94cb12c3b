import KingletRuntime
import KingletTestSupport
import Testing

/// Out-of-range sampling settings from a library caller are a typed error where generation
/// starts (`Engine.run`, `BatchStepper.admit`), not a crash in the sampler.
@Suite struct SamplingEntryPointTests {
    static func parameters(_ edit: (inout SamplingParameters) -> Void) -> GenerateParameters {
        var p = GenerateParameters()
        p.maxTokens = 2
        edit(&p.sampling)
        return p
    }

    @Test func engineRefusesHostileSettings() throws {
        let engine = try TinyEngineFile.engine()
        let p = Self.parameters { $0.penaltyWindow = -5; $0.repeatPenalty = 1.1 }
        #expect(throws: GenerationError.sampling(SamplingError(.penaltyWindow, value: -5, rule: "at least -1"))) {
            try engine.run([1, 2, 3], parameters: p) { _ in }
        }
        let nan = Self.parameters { $0.temperature = .nan }
        #expect(throws: GenerationError.self) { try engine.run([1, 2, 3], parameters: nan) { _ in } }
        try engine.run([1, 2, 3], parameters: Self.parameters { $0.temperature = 0 }) { _ in }
    }

    @Test func batchStepperRefusesHostileSettingsAndKeepsTheSlotFree() throws {
        let engine = try TinyEngineFile.engine()
        let s = BatchStepper<Int>(engine: engine, width: 1)
        let p = Self.parameters { $0.topK = -1 }
        #expect(throws: GenerationError.sampling(SamplingError(.topK, value: -1, rule: "at least 0"))) {
            try s.admit(0, prompt: [1, 2, 3], parameters: p)
        }
        #expect(s.hasFreeSlot && s.isIdle)
    }
}
