import Foundation

/// One stage of the sampling chain: narrows or reshapes the candidates.
public protocol LogitSampler: Sendable {
    func apply(_ c: inout Candidates, history: ArraySlice<Int32>)
}

/// Repetition, presence and frequency penalties over the recent history (llama.cpp semantics):
/// a seen token's logit is divided by `repeat` when positive, multiplied when negative; then
/// minus `frequency · count + presence`.
public struct PenaltySampler: LogitSampler {
    public var repeatPenalty: Float
    public var presencePenalty: Float
    public var frequencyPenalty: Float
    public var window: Int

    public init(repeat r: Float = 1, presence: Float = 0, frequency: Float = 0, window: Int = 64) {
        repeatPenalty = r; presencePenalty = presence; frequencyPenalty = frequency; self.window = window
    }

    public var isIdentity: Bool { repeatPenalty == 1 && presencePenalty == 0 && frequencyPenalty == 0 }

    public func apply(_ c: inout Candidates, history: ArraySlice<Int32>) {
        guard !isIdentity, window != 0 else { return }
        var counts: [Int32: Int] = [:]
        for t in history.suffix(window < 0 ? history.count : window) { counts[t, default: 0] += 1 }
        guard !counts.isEmpty else { return }
        for i in c.ids.indices {
            guard let n = counts[c.ids[i]] else { continue }
            var l = c.logits[i]
            l = l <= 0 ? l * repeatPenalty : l / repeatPenalty
            l -= Float(n) * frequencyPenalty + presencePenalty
            c.logits[i] = l
        }
        c.sorted = false
    }
}

/// Keeps the k most likely tokens (k ≤ 0: no limit).
public struct TopKSampler: LogitSampler {
    public var k: Int
    public init(_ k: Int) { self.k = k }
    public func apply(_ c: inout Candidates, history: ArraySlice<Int32>) {
        guard k > 0, k < c.count else { return }
        c.keepFirst(k)  // partial selection for small k (a full sort of 50k floats is ~2 ms)
    }
}

/// Keeps the smallest set of most likely tokens whose probability reaches p (nucleus).
public struct TopPSampler: LogitSampler {
    public var p: Float
    public var minKeep: Int
    public init(_ p: Float, minKeep: Int = 1) { self.p = p; self.minKeep = minKeep }
    public func apply(_ c: inout Candidates, history: ArraySlice<Int32>) {
        guard p < 1, c.count > 1 else { return }
        c.sort()
        let probs = c.probabilities()
        var cum: Float = 0
        var keep = c.count
        for (i, q) in probs.enumerated() {
            cum += q
            if cum >= p && i + 1 >= minKeep { keep = i + 1; break }
        }
        c.keepFirst(keep)
    }
}

/// Drops tokens whose probability is below `p` times the top token's.
public struct MinPSampler: LogitSampler {
    public var p: Float
    public var minKeep: Int
    public init(_ p: Float, minKeep: Int = 1) { self.p = p; self.minKeep = minKeep }
    public func apply(_ c: inout Candidates, history: ArraySlice<Int32>) {
        guard p > 0, c.count > 1 else { return }
        c.sort()
        // p_i ≥ p · p_max  ⇔  l_i ≥ l_max + ln p
        let threshold = c.logits[0] + logf(p)
        var keep = c.logits.firstIndex { $0 < threshold } ?? c.count
        keep = max(keep, minKeep)
        c.keepFirst(keep)
    }
}

/// Divides logits by the temperature (> 0).
public struct TemperatureSampler: LogitSampler {
    public var temperature: Float
    public init(_ t: Float) { temperature = t }
    public func apply(_ c: inout Candidates, history: ArraySlice<Int32>) {
        guard temperature > 0, temperature != 1 else { return }
        for i in c.logits.indices { c.logits[i] /= temperature }
    }
}
