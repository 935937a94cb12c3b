import Foundation
import KingletGGUF
import KingletKernels

/// How a training run ended.
public struct TrainSummary: Sendable {
    public var steps: Int
    public var tokens: Int
    public var finalLoss: Double
    public var validation: [String: Double]
    public var interrupted: Bool
    public var checkpoint: URL
    public var tokensPerSecond: Double
    public var gflops: Double
    /// Seconds spent in the optimizer steps of this session (not in evaluations or checkpoints).
    public var stepSeconds: Double = 0
}

/// Failure of the training loop.
public enum TrainError: Error, LocalizedError {
    case resumeMismatch(String)
    case noCheckpoint(URL)
    case diverged(step: Int, loss: Double)
    case quantizationMismatch(settings: String?, plan: String?)

    public var errorDescription: String? {
        switch self {
        case let .resumeMismatch(what):
            return "cannot resume: \(what). Hint: resume with the settings of the original run, or train into a new directory."
        case let .noCheckpoint(dir):
            return "no checkpoint to resume in \(dir.path). Hint: start a new run instead of resuming."
        case let .diverged(step, loss):
            return "training diverged at step \(step) (loss \(loss)). Hint: lower the learning rate or lengthen the warmup."
        case let .quantizationMismatch(settings, plan):
            return "the settings train for \(settings ?? "full precision") but the rounding plan is for \(plan ?? "none"). Hint: build the plan for the settings' file type (or clear quantizationAware)."
        }
    }
}

/// The training loop: batches → forward/backward (accumulated) → clip → AdamW with the schedule;
/// validation every `evalEvery` steps; checkpoints every `checkpointEvery` steps, at the end and
/// when Ctrl-C/SIGTERM asks to stop. Deterministic: the same settings and thread count give the
/// same loss curve bit for bit, resumed or not.
public final class Trainer {
    public let model: TrainableLlama
    public let settings: TrainSettings
    let source: BatchSource
    let validation: [TrainingBatch]
    let objective: TrainingObjective
    let directory: URL
    public let tokenizerMetadata: [(key: String, value: GGUFValue)]
    let runName: String
    let optimizer: AdamW
    /// Receives the progress lines.
    public var log: (String) -> Void = { print($0) }
    /// Print a progress line every this many steps.
    public var logEvery = 10
    /// Asked before each step; true stops the run with a checkpoint (default: Ctrl-C/SIGTERM seen).
    public var shouldStop: () -> Bool = { StopSignal.isRequested }
    /// Quantization-aware training: steps and validation see the rounded weights (`settings.
    /// quantizationAware` must name its target); the optimizer updates the masters.
    let rounding: QuantizedView?

    public init(model: TrainableLlama, settings: TrainSettings, source: BatchSource, validation: [TrainingBatch],
                objective: TrainingObjective = CrossEntropyObjective(), directory: URL,
                tokenizerMetadata: [(key: String, value: GGUFValue)], runName: String,
                fakeQuantization: FakeQuantization? = nil) throws(TrainError) {
        guard settings.quantizationAware == fakeQuantization?.target else {
            throw .quantizationMismatch(settings: settings.quantizationAware, plan: fakeQuantization?.target)
        }
        self.model = model
        self.settings = settings
        self.source = source
        self.validation = validation
        self.objective = objective
        self.directory = directory
        self.tokenizerMetadata = tokenizerMetadata
        self.runName = runName
        optimizer = AdamW(parameterCount: model.layout.count, settings: settings.adam)
        model.frozenLayers = settings.frozenLayers
        rounding = fakeQuantization.map { QuantizedView(model: model, plan: $0) }
    }

    public var checkpointURL: URL { directory.appendingPathComponent(TrainingCheckpoint.fileName) }

    /// Runs to `settings.steps` (or until a stop is requested). With `resume`, continues from the
    /// directory's checkpoint.
    public func run(resume: Bool) throws -> TrainSummary {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var step = 0, tokens = 0
        if resume {
            guard FileManager.default.fileExists(atPath: checkpointURL.path) else { throw TrainError.noCheckpoint(directory) }
            let ck = try TrainingCheckpoint.read(checkpointURL)
            let saved = try JSONDecoder().decode(TrainSettings.self, from: Data(ck.settingsJSON.utf8))
            var mine = settings.numericallyRelevant(), theirs = saved.numericallyRelevant()
            mine.steps = 0
            theirs.steps = 0
            if mine != theirs { throw TrainError.resumeMismatch("settings differ from the checkpoint's (\(ck.settingsJSON))") }
            guard ck.config == model.config else { throw TrainError.resumeMismatch("model shape differs") }
            ck.parameters.withUnsafeBufferPointer { model.setParameters($0) }
            optimizer.m.pointer.update(from: ck.adamM, count: ck.adamM.count)
            optimizer.v.pointer.update(from: ck.adamV, count: ck.adamV.count)
            optimizer.updates = ck.adamUpdates
            do { try source.restore(state: ck.samplerState) } catch {
                throw CheckpointError.unreadable(path: checkpointURL.path, reason: "its batch sampler's state cannot be restored (\(error.localizedDescription))")
            }
            step = ck.step
            tokens = ck.tokens
            log("resuming \(directory.path) at step \(step) (\(tokens) tokens)")
        }
        let metrics = try MetricsLog(url: directory.appendingPathComponent("metrics.jsonl"), resumeAfterStep: resume ? step : nil)
        let flopsPerStep = model.trainingFLOPs(batch: settings.batch, length: settings.length) * Double(settings.accumulation)
        let started = Date()
        var computeSeconds = 0.0, stepsThisSession = 0
        var lastLoss = Double.nan
        var lastValidation: [String: Double] = [:]
        var interrupted = false
        defer { rounding?.restoreFrozen() }  // the frozen matrices stay rounded between steps

        while step < settings.steps {
            if shouldStop() { interrupted = true; break }
            let t0 = Date()
            model.zeroGradients()
            var lossSum = 0.0, weightSum = 0.0
            let rounded = isRounded(at: step)
            if rounded { rounding?.enter() }
            do {
                defer { rounding?.leave() }  // the masters come back even when a batch fails
                for _ in 0 ..< settings.accumulation {
                    var batch = try source.next()
                    if settings.accumulation > 1 {
                        let s = 1 / Float(settings.accumulation)
                        batch.weights = batch.weights.map { $0 * s }
                    }
                    let r = try objective.train(model, batch)
                    lossSum += r.loss
                    weightSum += r.weight
                }
            }
            let loss = weightSum > 0 ? lossSum / weightSum : .nan
            guard loss.isFinite else { throw TrainError.diverged(step: step, loss: loss) }
            // The frozen prefix's gradients are zero (`zeroGradients`): the norm is over the rest.
            let from = model.trainableOffset
            let norm = GradientClipping.globalNorm(model.gradients.pointer + from, count: model.layout.count - from, pool: model.pool)
            let lr = settings.learningRate(at: step)
            optimizer.update(model.parameters.pointer, model.gradients.pointer, layout: model.layout, lr: lr,
                             gradScale: GradientClipping.scale(norm: norm, maxNorm: settings.gradientClip),
                             from: model.trainableOffset, pool: model.pool)
            step += 1
            tokens += settings.tokensPerStep
            let seconds = Date().timeIntervalSince(t0)
            computeSeconds += seconds
            stepsThisSession += 1
            lastLoss = loss
            let tps = Double(settings.tokensPerStep) / seconds, gflops = flopsPerStep / seconds / 1e9
            metrics.append(["type": "train", "step": step, "tokens": tokens, "loss": loss, "lr": Double(lr), "grad_norm": norm,
                            "tokens_per_s": tps, "gflops": gflops, "elapsed_s": Date().timeIntervalSince(started)])
            let evalNow = settings.evalEvery > 0 && (step % settings.evalEvery == 0 || step == settings.steps) && !validation.isEmpty
            if evalNow {
                lastValidation = try withShippedWeights(after: step) { try objective.evaluate(model, validation) }
                var line: [String: Any] = ["type": "eval", "step": step, "tokens": tokens]
                for (k, v) in lastValidation { line[k] = v }
                metrics.append(line)
            }
            if step % logEvery == 0 || step == settings.steps || evalNow {
                let avg = computeSeconds / Double(stepsThisSession)
                let eta = avg * Double(settings.steps - step)
                let val = lastValidation[objective.headlineMetric].map { String(format: " | val %.4f", $0) } ?? ""
                log(String(format: "step %d/%d | loss %.4f%@ | lr %.2e | %.0f tok/s | %.1f GFLOP/s | ETA %@",
                           step, settings.steps, loss, val, Double(lr), Double(settings.tokensPerStep) / avg,
                           flopsPerStep / avg / 1e9, Self.duration(eta)))
            }
            if settings.checkpointEvery > 0 && step % settings.checkpointEvery == 0 && step < settings.steps {
                try saveCheckpoint(step: step, tokens: tokens)
            }
        }
        try saveCheckpoint(step: step, tokens: tokens)
        if interrupted { log("stopped at step \(step); checkpoint saved to \(checkpointURL.path) (continue with --resume)") }
        let avg = stepsThisSession > 0 ? computeSeconds / Double(stepsThisSession) : .nan
        return TrainSummary(steps: step, tokens: tokens, finalLoss: lastLoss, validation: lastValidation,
                            interrupted: interrupted, checkpoint: checkpointURL,
                            tokensPerSecond: Double(settings.tokensPerStep) / avg, gflops: flopsPerStep / avg / 1e9,
                            stepSeconds: computeSeconds)
    }

    /// Whether 0-based step `step` trains on the rounded weights.
    func isRounded(at step: Int) -> Bool {
        rounding != nil && step >= (settings.roundedPhaseStart ?? .max)
    }

    /// Whether the weights after `steps` steps are rounded ones (the rounded phase has begun).
    public func isRoundedAfter(_ steps: Int) -> Bool { steps > 0 && isRounded(at: steps - 1) }

    /// Runs `body` with the weights the shipped file will hold once `steps` steps are done: the
    /// rounded ones when the rounded phase has begun, else the model's own.
    public func withShippedWeights<R>(after steps: Int, _ body: () throws -> R) rethrows -> R {
        guard isRoundedAfter(steps), let rounding else { return try body() }
        rounding.enter()
        defer {
            rounding.leave()
            rounding.restoreFrozen()
        }
        return try body()
    }

    /// The model's parameters as the shipped file will hold them after `steps` steps (rounded in
    /// the rounded phase), in `ParameterLayout` order.
    public func shippedParameters(after steps: Int) -> [Float] {
        withShippedWeights(after: steps) { model.withParameters { Array($0) } }
    }

    func saveCheckpoint(step: Int, tokens: Int) throws {
        rounding?.restoreFrozen()  // the masters, not the frozen matrices' rounded values
        let p = model.layout.count
        let ck = TrainingCheckpoint(
            config: model.config, step: step, tokens: tokens, adamUpdates: optimizer.updates, samplerState: source.state,
            settingsJSON: settings.json(),
            parameters: Array(UnsafeBufferPointer(start: model.parameters.pointer, count: p)),
            adamM: Array(UnsafeBufferPointer(start: optimizer.m.pointer, count: p)),
            adamV: Array(UnsafeBufferPointer(start: optimizer.v.pointer, count: p)))
        try ck.write(to: directory, tokenizerMetadata: tokenizerMetadata, name: runName)
    }

    static func duration(_ s: Double) -> String {
        guard s.isFinite else { return "?" }
        let t = Int(s.rounded())
        return t >= 3600 ? String(format: "%dh%02dm", t / 3600, t / 60 % 60) : String(format: "%dm%02ds", t / 60, t % 60)
    }
}
