/// The model's parameters seen through a `FakeQuantization` for the length of a step: `enter`
/// keeps the masters and puts the rounded matrices in their place; `leave` restores the masters
/// (before the optimizer applies the step's gradients to them). Only the planned ranges move.
final class QuantizedView {
    let model: TrainableLlama
    let plan: FakeQuantization
    private let masters: FloatBuffer  // [layout.count]; only the planned ranges are used
    private var entered = false

    init(model: TrainableLlama, plan: FakeQuantization) {
        self.model = model
        self.plan = plan
        masters = FloatBuffer(model.layout.count)
    }

    func enter() {
        precondition(!entered, "QuantizedView entered twice")
        entered = true
        let p = model.parameters.pointer, m = masters.pointer
        for e in plan.entries { (m + e.offset).update(from: p + e.offset, count: e.rows * e.cols) }
        plan.round(m, into: p, pool: model.pool)
    }

    func leave() {
        guard entered else { return }
        entered = false
        let p = model.parameters.pointer, m = masters.pointer
        for e in plan.entries { (p + e.offset).update(from: m + e.offset, count: e.rows * e.cols) }
    }
}
