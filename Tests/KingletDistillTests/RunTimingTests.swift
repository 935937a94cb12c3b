import Foundation
import Testing
@testable import KingletDistill

/// `RunTiming`: phases in order, the steps split out of the trainer's wall time, a total that adds up.
struct RunTimingTests {
    @Test func aSplitTakesItsPartOfTheLastPhaseAndNeverMore() {
        var t = RunTiming()
        t.lap("setup")
        t.lap("training")
        let training = t.phases[1].seconds
        t.split(last: training / 2, as: "steps")
        #expect(t.phases.map(\.name) == ["setup", "steps", "training"])
        #expect(t.phases[1].seconds + t.phases[2].seconds == training)
        t.split(last: .infinity, as: "all")
        #expect(t.phases.map(\.name) == ["setup", "steps", "all", "training"])
        #expect(t.phases[3].seconds == 0 && t.phases.allSatisfy { $0.seconds >= 0 })
        t.split(last: -1, as: "none")
        #expect(t.phases[4].name == "training" && t.phases[3] == ("none", 0))
        #expect(t.jsonObject["total"] == t.total && t.jsonObject["setup"] == t.phases[0].seconds)
        #expect(t.line.hasPrefix("  time ") && t.line.contains("steps "))
    }

    @Test func nothingToSplitIsNoPhase() {
        var t = RunTiming()
        t.split(last: 3, as: "steps")
        #expect(t.phases.isEmpty && t.total == 0 && t.jsonObject == ["total": 0])
    }
}
