import Foundation

/// One scored position compared: the model Q against the reference (base) distribution P.
public struct RowComparison: Sendable, Equatable {
    /// −log q(target), as llama.cpp rounds it (Float).
    public var nll: Float
    /// −log p(target).
    public var nllBase: Float
    /// KL(P ‖ Q) = Σ p (log p − log q), in nats.
    public var kld: Double
    /// q(target) − p(target).
    public var probabilityDifference: Float
    /// Whether both distributions put their maximum on the same token.
    public var sameTop: Bool

    init(nll: Float, nllBase: Float, kld: Double, probabilityDifference: Float, sameTop: Bool) {
        self.nll = nll
        self.nllBase = nllBase
        self.kld = kld
        self.probabilityDifference = probabilityDifference
        self.sameTop = sameTop
    }

    /// The parts every storage computes alike, as llama.cpp does: the model's side from `qRow`
    /// (the normaliser of `q`), the reference's from its target log-probability; `kld` and the
    /// reference's most likely token come from the stored row.
    init(q: UnsafeBufferPointer<Float>, qRow: LogitsRow, target: Int, baseLogProb: Float, kld: Double, baseTop: Int) {
        let nll = qRow.max + Float(log(qRow.sum)) - q[target]
        self.init(nll: nll, nllBase: -baseLogProb, kld: kld, probabilityDifference: expf(-nll) - expf(baseLogProb),
                  sameTop: qRow.argmax == baseTop)
    }
}

/// A stored reference row that a model's logits can be held against.
protocol ReferenceRow {
    /// Compares logits `q` [V] predicting `target` with this row.
    func compare(_ q: UnsafeBufferPointer<Float>, target: Int) -> RowComparison
}
