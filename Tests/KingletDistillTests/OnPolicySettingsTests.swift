import Foundation
import KingletDistill
import Testing

/// `OnPolicyJob.validate()` checks the sampling settings by the runtime's rules
/// (`SamplingParameters.validate`) and reports them as its own `invalidSetting`.
@Suite struct OnPolicySettingsTests {
    static func job(_ edit: (inout GenerationSettings) -> Void) -> OnPolicyJob {
        let dir = URL(fileURLWithPath: "/nonexistent")
        var job = OnPolicyJob(student: "s", teacher: "t", teacherDataDirectory: dir, directory: dir, count: 1, seed: 0)
        edit(&job.settings)
        return job
    }

    @Test func samplingSettingsOutOfRangeAreInvalidSettings() {
        #expect(throws: OnPolicyError.invalidSetting(name: "topP", requirement: "in (0, 1] (it is 2.0)")) {
            try Self.job { $0.topP = 2 }.validate()
        }
        #expect(throws: OnPolicyError.invalidSetting(name: "topP", requirement: "in (0, 1] (it is nan)")) {
            try Self.job { $0.topP = .nan }.validate()
        }
        #expect(throws: OnPolicyError.invalidSetting(name: "presencePenalty", requirement: "finite (it is inf)")) {
            try Self.job { $0.presencePenalty = .infinity }.validate()
        }
        #expect(throws: OnPolicyError.self) { try Self.job { $0.temperature = 0 }.validate() }
        #expect(throws: Never.self) { try Self.job { $0.topP = 1 }.validate() }
    }
}
