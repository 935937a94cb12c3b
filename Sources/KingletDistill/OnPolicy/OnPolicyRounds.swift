import Foundation

/// The on-policy rounds of one KD run of `distill run --on-policy-ratio λ` (GKD inside the
/// pipeline): the run trains off-policy up to the first round's step, its checkpoint (exported)
/// samples completions for training prompts that the teacher scores (`OnPolicyJob`), and training
/// resumes on the λ-mix of the teacher's samples and that round's (`MixedBatchSource`); a later
/// round samples again from the student as it is by then.
///
/// Kept in `RUN/onpolicy-rounds.json`, a round written only once its data is final, so a rerun
/// never samples a finished round again (its batches, and so the losses, stay the same).
public struct OnPolicyRounds: Codable, Sendable, Equatable {
    /// One finished round.
    public struct Round: Codable, Sendable, Equatable {
        /// 1, 2, …
        public var round: Int
        /// The optimizer step the student sampled at.
        public var step: Int
        /// Prompts asked for, samples generated (now and by an interrupted earlier try) and scored.
        public var prompts: Int
        public var samples: Int
        public var scored: Int
        /// Whether every prompt got a scored sample (false: the round's time cap ran out first).
        public var complete: Bool
        /// Wall time of the round: export, sampling and scoring (this try's).
        public var seconds: Double
    }

    /// λ: the share of on-policy rows after the first round.
    public var ratio: Double
    public var rounds: [Round] = []

    enum CodingKeys: String, CodingKey { case ratio = "on_policy_ratio", rounds }

    public init(ratio: Double) { self.ratio = ratio }

    /// RUN/onpolicy-rounds.json.
    public static func url(in run: URL) -> URL { run.appendingPathComponent("onpolicy-rounds.json") }
    /// RUN/onpolicy-roundN/: the exported student that sampled, samples.jsonl and scores/.
    public static func directory(in run: URL, round: Int) -> URL { run.appendingPathComponent("onpolicy-round\(round)") }

    public static func saved(in run: URL) -> OnPolicyRounds? { read(in: run) }

    public func save(in run: URL) throws { try write(in: run) }

    /// The steps at which `count` rounds sample, evenly spaced in a run of `steps` steps (round r
    /// of R at steps·r/(R+1)), each at least 1 and after the one before; fewer when the run is too short.
    public static func boundaries(steps: Int, count: Int) -> [Int] {
        var out: [Int] = []
        for r in 1 ... max(count, 1) where count >= 1 {
            let b = max(steps * r / (count + 1), (out.last ?? 0) + 1)
            if b < steps { out.append(b) }
        }
        return out
    }

    /// On-policy samples a round asks for: about one per on-policy row the mix will draw before
    /// the next round (λ·batch rows per step over `stepsUntilNext` steps), so that each row reads
    /// a fresh sample as GKD does (`OnPolicyJob` takes fewer when the training split has fewer conversations).
    public static func samples(ratio: Double, batch: Int, stepsUntilNext: Int) -> Int {
        max(1, Int((ratio * Double(batch * stepsUntilNext)).rounded(.up)))
    }

}
