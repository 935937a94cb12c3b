/// The model's parameters seen through a `FakeQuantization` for the length of a step: `enter`
/// keeps the masters and puts the rounded matrices in their place; `leave` restores the masters
/// (before the optimizer applies the step's gradients to them). Only the planned ranges move.
///
/// Matrices wholly below the model's `trainableOffset` (the frozen embedding and layers: no
/// gradient, no update) round to the same values every step, so they are rounded at the first
/// `enter` and stay rounded across steps until `restoreFrozen()` (39M of the 85M parameters of the
/// default pruned student: about a third of the rounding's copying and quantizing per step).
/// Whoever reads the parameters as masters between steps (a checkpoint, the end of training)
/// calls `restoreFrozen()` first.
final class QuantizedView {
    let model: TrainableLlama
    let plan: FakeQuantization
    /// Whether frozen matrices stay rounded between steps (false: every `leave` restores them too).
    let keepsFrozenRounded: Bool
    private let masters: FloatBuffer  // [layout.count]; only the planned ranges are used
    private var entered = false
    /// The `trainableOffset` below which the matrices are rounded and held so; nil: none are.
    private var frozenRoundedBelow: Int?

    init(model: TrainableLlama, plan: FakeQuantization, keepsFrozenRounded: Bool = true) {
        self.model = model
        self.plan = plan
        self.keepsFrozenRounded = keepsFrozenRounded
        masters = FloatBuffer(model.layout.count)
    }

    /// The plan's matrices split at `offset`: those wholly below it, and the rest.
    private func entries(splitAt offset: Int) -> (frozen: FakeQuantization, moving: FakeQuantization) {
        var frozen = plan, moving = plan
        frozen.entries = plan.entries.filter { $0.offset + $0.rows * $0.cols <= offset }
        moving.entries = plan.entries.filter { $0.offset + $0.rows * $0.cols > offset }
        return (frozen, moving)
    }

    func enter() {
        precondition(!entered, "QuantizedView entered twice")
        let boundary = keepsFrozenRounded ? model.trainableOffset : 0
        if let held = frozenRoundedBelow, held != boundary { restoreFrozen() }  // the frozen layers changed
        entered = true
        let (frozen, moving) = entries(splitAt: boundary)
        if frozenRoundedBelow == nil {
            round(frozen)
            frozenRoundedBelow = boundary
        }
        round(moving)
    }

    func leave() {
        guard entered else { return }
        entered = false
        restore(entries(splitAt: frozenRoundedBelow ?? 0).moving)
    }

    /// Puts the masters back in the frozen matrices held rounded since an `enter`.
    func restoreFrozen() {
        precondition(!entered, "restoreFrozen inside a step")
        guard let held = frozenRoundedBelow else { return }
        restore(entries(splitAt: held).frozen)
        frozenRoundedBelow = nil
    }

    private func round(_ part: FakeQuantization) {
        let p = model.parameters.pointer, m = masters.pointer
        for e in part.entries { (m + e.offset).update(from: p + e.offset, count: e.rows * e.cols) }
        part.round(m, into: p, pool: model.pool)
    }

    private func restore(_ part: FakeQuantization) {
        let p = model.parameters.pointer, m = masters.pointer
        for e in part.entries { (p + e.offset).update(from: m + e.offset, count: e.rows * e.cols) }
    }
}
