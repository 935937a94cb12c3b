import Foundation
import KingletChatTemplate
import KingletTraining

/// The prompts an on-policy round samples the student on: conversations of the teacher dataset's
/// training split only. A conversation with any sample in the held-out split (`DistillTrainingJob`'s
/// split by a hash of the sample's id) is never used, so held-out figures stay honest.
///
/// The subset is a ranking by SHA-256 of (seed, messages): the same seed gives the same prompts
/// whatever the dataset's order, and a larger count extends a smaller one's subset.
public enum OnPolicyPrompts {
    /// One conversation to complete and the prompt tokens the teacher's sample of it has.
    public struct Choice: Sendable, Equatable {
        public var prompt: DistillPrompt
        public var teacherPromptTokens: [Int]
    }

    /// Up to `count` training-split conversations of `records`, in ranking order. `heldOut`: the
    /// distinct conversations left out because one of their samples is held out.
    public static func select(from records: [DistillRecord], count: Int, seed: UInt64,
                              validationFraction: Double) -> (choices: [Choice], heldOut: Int) {
        struct Conversation { var key: [UInt8]; var first: DistillRecord; var heldOut: Bool }
        var byKey: [[UInt8]: Conversation] = [:]
        for r in records.sorted(by: { $0.id < $1.id }) {
            let key = DistillRecord.canonicalJSON(r.messages)
            let held = TokenShardBuilder.isValidation(r.id, fraction: validationFraction)
            if var c = byKey[key] {
                c.heldOut = c.heldOut || held
                byKey[key] = c
            } else {
                byKey[key] = Conversation(key: key, first: r, heldOut: held)
            }
        }
        let training = byKey.values.filter { !$0.heldOut }
        let ranked = training.map { (rank: rank(seed: seed, key: $0.key), c: $0) }
            .sorted { $0.rank != $1.rank ? $0.rank.lexicographicallyPrecedes($1.rank) : $0.c.first.id < $1.c.first.id }
        let choices = ranked.prefix(max(0, count)).map {
            Choice(prompt: DistillPrompt(id: $0.c.first.id, messages: $0.c.first.messages), teacherPromptTokens: $0.c.first.promptTokens)
        }
        return (choices, byKey.count - training.count)
    }

    static func rank(seed: UInt64, key: [UInt8]) -> [UInt8] {
        let seedBytes = (0 ..< 8).map { UInt8(truncatingIfNeeded: seed >> (8 * UInt64($0))) }
        return DistillRecord.sha256(seedBytes + key)
    }
}
