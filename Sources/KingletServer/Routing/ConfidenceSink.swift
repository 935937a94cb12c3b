import Foundation

/// Collects the `TokenConfidence` of every token a routed generation samples, and takes the early
/// decision when the policy has one.
///
/// The router sets `ConfidenceSink.current` around the local route's handler; the generation
/// ticket made there picks it up, and the scheduler thread records each token into it before the
/// token's text is delivered (so a handler that sees token K's text finds K records here).
final class ConfidenceSink: @unchecked Sendable {
    /// The sink the tickets created in this task report to (nil: not routed).
    @TaskLocal static var current: ConfidenceSink?

    enum Decision: Equatable, Sendable { case local, escalate }

    let policy: RoutePolicy
    private let lock = NSLock()
    private var tokens: [TokenConfidence] = []
    private var early: Decision?
    private var cancelGeneration: (@Sendable () -> Void)?

    init(policy: RoutePolicy) { self.policy = policy }

    /// Called by the ticket: how to stop its generation when the early decision is to escalate.
    func attach(cancel: @escaping @Sendable () -> Void) { lock.withLock { cancelGeneration = cancel } }

    /// One sampled token (the scheduler thread's call).
    func record(_ token: TokenConfidence) {
        let stop: (@Sendable () -> Void)? = lock.withLock {
            tokens.append(token)
            guard early == nil, let k = policy.earlyTokens, tokens.count >= k else { return nil }
            early = policy.keepsLocal(policy.signal.score(tokens)) ? .local : .escalate
            return early == .escalate ? cancelGeneration : nil
        }
        stop?()
    }

    /// Stops the generation now (the client went away while the router held the stream).
    func stopGeneration() { lock.withLock { cancelGeneration }?() }

    /// The early decision, once K tokens were seen (nil before, and always without early mode).
    var earlyDecision: Decision? { lock.withLock { early } }

    /// The tokens recorded so far.
    var recorded: [TokenConfidence] { lock.withLock { tokens } }

    /// The policy's score over the tokens the decision rests on: the first K in early mode,
    /// all of them otherwise.
    var score: Double {
        let t = recorded
        if let k = policy.earlyTokens, t.count > k { return policy.signal.score(Array(t.prefix(k))) }
        return policy.signal.score(t)
    }

    /// The decision: the early one when taken, else from every token recorded.
    var decision: Decision { earlyDecision ?? (policy.keepsLocal(score) ? .local : .escalate) }

    /// Every signal's score over all recorded tokens (reported to clients and `route eval`).
    var allScores: [String: Double] {
        let t = recorded
        var out: [String: Double] = [:]
        for s in ConfidenceSignal.all { out[s.description] = s.score(t) }
        return out
    }
}
