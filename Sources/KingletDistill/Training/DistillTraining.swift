import Foundation
import KingletGGUF
import KingletKernels
import KingletRuntime
import KingletTokenizer
import KingletTraining

/// One student training run on teacher samples: knowledge distillation (`kd`: CE + α·T²·D against
/// the teacher's stored top-k) or the honest `baseline` (the same student, seed, batches and token
/// budget with CE only). Writes `run.json`, `metrics.jsonl`, the checkpoint, exported GGUFs and
/// `eval.json` (held-out CE, KL to the teacher, top-1 agreement; also for each export; and as
/// `shipped`, the Q8_0 file's decode speed, size, greedy answers and the teacher's perplexity of them).
public struct DistillTrainingJob {
    public enum Kind: String, Sendable { case kd, baseline }

    public var dataDirectory: URL        // samples.jsonl
    public var scoresDirectory: URL      // *.kscr
    public var teacherPath: URL          // the teacher GGUF: tokenizer, vocabulary, chat template
    public var runDirectory: URL
    public var name: String
    public var kind: Kind
    public var settings: TrainSettings
    public var distillation: DistillationSettings
    public var validationFraction = 0.05
    public var maxValidationSamples = Self.defaultMaxValidationSamples
    public static let defaultMaxValidationSamples = 64
    public var exports: [ExportType] = [.q8_0, .q4_0]
    /// Also export the student quantized as this llama.cpp file type (`kinglet quantize`'s rules:
    /// the teacher's own, so that the two can be compared as users get them), evaluated like the
    /// other exports; it is the shipped file only when there is no Q8_0 export.
    public var alsoQuantizedAs: QuantizeFileType?
    /// Train for this file type (quantization-aware: every step sees the matrices rounded as that
    /// file will hold them, `FakeQuantization`); the student is then also written as that type
    /// and that file is the one shipped. nil: full precision.
    public var quantizationAware: QuantizeFileType?
    /// With `quantizationAware`: how many of the last steps see rounded weights (nil: all). The
    /// steps before heal at full precision; the exports are written from the rounded weights.
    public var quantizationAwareSteps: Int?
    public var threads: Int?
    public var resume = false
    /// Measures the shipped export (Q8_0, else the first) after exporting; nil: skip. Its threads
    /// default to the job's.
    public var probe: ShippedModelProbe? = ShippedModelProbe()
    /// On-policy samples mixed into a `kd` run's batches (nil: the teacher's samples only).
    public var onPolicy: OnPolicyMix?
    /// Stop with a checkpoint on reaching this step, as Ctrl-C would (`run` throws `.interrupted`):
    /// where an on-policy round samples (`DistillTrainingJob+Stop.swift`). nil: train to the end.
    public var stopAtStep: Int?

    public init(dataDirectory: URL, scoresDirectory: URL, teacherPath: URL, runDirectory: URL, name: String, kind: Kind,
                settings: TrainSettings, distillation: DistillationSettings) {
        self.dataDirectory = dataDirectory
        self.scoresDirectory = scoresDirectory
        self.teacherPath = teacherPath
        self.runDirectory = runDirectory
        self.name = name
        self.kind = kind
        self.settings = settings
        self.distillation = distillation
    }

    /// The dataset's samples as token sequences (prompt + completion), sorted by id so that the
    /// dataset's order never matters, split into training and held-out sets by a hash of the id.
    public static func sequences(dataDirectory: URL, length: Int, validationFraction: Double) throws
        -> (train: [ScoredSequence], validation: [ScoredSequence]) {
        let all = try DistillDataset(directory: dataDirectory).scoredSequences()
            .filter { $0.promptLength < length && !$0.scoredPositions.isEmpty }
            .sorted { $0.id < $1.id }
        var train: [ScoredSequence] = [], validation: [ScoredSequence] = []
        for s in all {
            if TokenShardBuilder.isValidation(s.id, fraction: validationFraction) { validation.append(s) } else { train.append(s) }
        }
        return (train, validation)
    }

    /// Trains (or resumes), evaluates, exports. Returns the final figures (eval.json's content).
    @discardableResult
    public func run(log: @escaping (String) -> Void) throws -> [String: Any] {
        var timing = RunTiming()
        let teacher = try GGUFFile(path: teacherPath.path)
        let tokenizer = try Tokenizer(gguf: teacher)
        let fingerprint = VocabularyFingerprint.of(tokenizer)
        let store = try TeacherScoreStore(directory: scoresDirectory, expectedTokenizerFingerprint: fingerprint)
        let (train, validationAll) = try Self.sequences(dataDirectory: dataDirectory, length: settings.length,
                                                         validationFraction: validationFraction)
        guard !train.isEmpty, !validationAll.isEmpty else { throw DistillTrainingError.tooFewSamples(train: train.count, validation: validationAll.count) }
        let validation = Array(validationAll.prefix(maxValidationSamples))
        let pool = try ThreadPool.sized(threads)
        var settings = settings
        settings.quantizationAware = quantizationAware?.rawValue
        settings.quantizationAwareFrom = quantizationAware == nil ? nil : quantizationAwareSteps.map { max(settings.steps - $0, 0) }
        let model = try TrainableLlama.start(&settings, vocabularySize: tokenizer.vocabularySize, pool: pool)
        let rounding = try quantizationAware.map { try FakeQuantization(layout: model.layout, fileType: $0) }
        var d = distillation
        if kind == .baseline { d.alpha = 0 }
        try FileManager.default.createDirectory(at: runDirectory, withIntermediateDirectories: true)
        var info: [String: Any] = ["name": name, "kind": kind.rawValue, "seed": Int(settings.seed), "student": settings.preset,
                                   "parameters": model.parameterCount, "train_samples": train.count, "validation_samples": validation.count]
        if kind == .kd { info["alpha"] = d.alpha; info["temperature"] = d.temperature; info["divergence"] = d.divergence.rawValue }
        if kind == .kd, let mix = onPolicy { info["on_policy_ratio"] = mix.ratio }
        if let quantizationAware {
            info["quantization_aware"] = quantizationAware.rawValue
            info["quantization_aware_from_step"] = settings.roundedPhaseStart ?? 0
        }
        try JSONSerialization.data(withJSONObject: info, options: [.prettyPrinted, .sortedKeys])
            .write(to: runDirectory.appendingPathComponent("run.json"), options: .atomic)

        let source = try batchSource(train: train, store: store, settings: settings)
        let valBatches = try DistillBatchSource.validation(validation, store: store, batch: settings.batch, length: settings.length)
        let trainer = try Trainer(model: model, settings: settings, source: source, validation: valBatches,
                              objective: DistillationObjective(settings: d), directory: runDirectory,
                              tokenizerMetadata: teacher.metadataKeys.filter { $0.hasPrefix("tokenizer.") }.compactMap { k in
                                  teacher.metadata[k].map { (key: k, value: $0) } },
                              runName: name, fakeQuantization: rounding)
        trainer.log = log
        if let stop = try stopCondition() { trainer.shouldStop = stop }
        log(String(format: "%@ (%@): %.1fM parameters, %d training / %d held-out samples", name, kind.rawValue,
                   Double(model.parameterCount) / 1e6, train.count, validation.count))
        timing.lap("setup")
        let summary = try trainer.run(resume: resume)
        guard !summary.interrupted else { throw DistillTrainingError.interrupted(runDirectory) }
        timing.lap("evaluations_and_checkpoints")
        timing.split(last: summary.stepSeconds, as: "steps")

        var result: [String: Any] = [:]
        for (k, v) in trainer.withShippedWeights(after: summary.steps, { DistillationObjective.evaluate(model, valBatches) }) { result[k] = v }
        result["tokens"] = summary.tokens
        timing.lap("held_out_evaluation")
        let weights = try shippedWeightsCheckpoint(summary.checkpoint, trainer: trainer, steps: summary.steps)
        defer { if weights != summary.checkpoint { try? FileManager.default.removeItem(at: weights.deletingLastPathComponent()) } }
        var exported: [String: Any] = [:]
        for type in exports {
            let url = runDirectory.appendingPathComponent("student-\(type.rawValue).gguf")
            let r = try GGUFExporter.export(checkpoint: weights, to: url, type: type, name: name)
            timing.lap("export")
            var figures: [String: Any] = ["file_bytes": r.fileBytes]
            for (k, v) in try ExportEvaluation.evaluate(gguf: url, sequences: validation, store: store, length: settings.length,
                                                        threads: threads) { figures[k] = v }
            timing.lap("export_evaluation")
            exported[type.rawValue] = figures
            log(String(format: "  %@: val CE %.4f, KL %.4f, top-1 %.3f (%d MB)", type.rawValue,
                       figures["val_ce"] as? Double ?? .nan, figures["kl_to_teacher"] as? Double ?? .nan,
                       figures["top1_agreement"] as? Double ?? .nan, r.fileBytes / 1_000_000))
        }
        if let quantized = shippedQuantization {
            let name = "student-\(quantized.rawValue.lowercased()).gguf", url = runDirectory.appendingPathComponent(name)
            try GGUFExporter.export(checkpoint: weights, to: url, quantizedAs: quantized, name: name, threads: threads)
            timing.lap("export")
            let bytes = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue ?? 0
            var figures: [String: Any] = ["file_bytes": bytes]
            for (k, v) in try ExportEvaluation.evaluate(gguf: url, sequences: validation, store: store, length: settings.length,
                                                        threads: threads) { figures[k] = v }
            timing.lap("export_evaluation")
            exported[quantized.rawValue.lowercased()] = figures
            log(String(format: "  %@: val CE %.4f, KL %.4f, top-1 %.3f (%d MB)", quantized.rawValue, figures["val_ce"] as? Double ?? .nan,
                       figures["kl_to_teacher"] as? Double ?? .nan, figures["top1_agreement"] as? Double ?? .nan, bytes / 1_000_000))
        }
        result["exports"] = exported
        // A measurement that fails costs the run nothing: its figures are left absent, as in old runs.
        do {
            if let shipped = try measureShipped(log: log) { result["shipped"] = try JSONSerialization.jsonObject(with: shipped.jsonData()) }
        } catch {
            log("  shipped file not measured: \((error as? LocalizedError)?.errorDescription ?? "\(error)")")
        }
        timing.lap("shipped_measurement")
        result["seconds"] = timing.jsonObject
        log(timing.line)
        try JSONSerialization.data(withJSONObject: result, options: [.prettyPrinted, .sortedKeys])
            .write(to: runDirectory.appendingPathComponent("eval.json"), options: .atomic)
        return result
    }
}

extension DistillTrainingJob {
    /// The checkpoint the exports are written from: the run's own, or (after a rounded phase) a
    /// weights-only one in a temporary directory beside it holding the rounded weights, so that
    /// every export starts from what training saw (the masters behind them are not a model).
    func shippedWeightsCheckpoint(_ checkpoint: URL, trainer: Trainer, steps: Int) throws -> URL {
        guard trainer.isRoundedAfter(steps) else { return checkpoint }
        let ck = TrainingCheckpoint(config: trainer.model.config, step: steps, tokens: 0, adamUpdates: 0, samplerState: [],
                                    settingsJSON: "", parameters: trainer.shippedParameters(after: steps), adamM: [], adamV: [])
        let dir = runDirectory.appendingPathComponent("rounded.tmp")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try ck.write(to: dir, tokenizerMetadata: trainer.tokenizerMetadata, name: name)
        return dir.appendingPathComponent(TrainingCheckpoint.fileName)
    }

    /// The llama.cpp file type written beside the exports: the one trained for, else `alsoQuantizedAs`.
    var shippedQuantization: QuantizeFileType? { quantizationAware ?? alsoQuantizedAs }

    /// The file a user runs, and its format's name: the file type trained for when there is one,
    /// else the Q8_0 export when there is one, else the `alsoQuantizedAs` file, else the first export.
    public var shippedFile: (url: URL, format: String)? {
        let type: String
        if let q = quantizationAware { type = q.rawValue.lowercased() }
        else if exports.contains(.q8_0) { type = ExportType.q8_0.rawValue }
        else if let q = alsoQuantizedAs { type = q.rawValue.lowercased() }
        else if let first = exports.first { type = first.rawValue }
        else { return nil }
        return (runDirectory.appendingPathComponent("student-\(type).gguf"), type)
    }

    /// `probe`'s figures for the shipped export, answering the held-out prompts; nil without a
    /// probe or an export.
    func measureShipped(log: (String) -> Void) throws -> ShippedFigures? {
        guard var probe, let (url, format) = shippedFile else { return nil }
        if probe.threads == nil { probe.threads = threads }
        let prompts = try HeldOutPrompt.select(dataDirectory: dataDirectory, length: settings.length,
                                               validationFraction: validationFraction, count: probe.prompts)
        let f = try probe.measure(model: url, teacher: teacherPath, prompts: prompts, format: format)
        log(String(format: "  %@ shipped: tg%d %.1f t/s, teacher PPL of its answers %.3f (%d tokens, %d prompts), measured in %.1f s",
                   format, probe.decodeTokens, f.tg128TokensPerSecond ?? .nan, f.teacherPPLOfGenerations ?? .nan,
                   f.scoredTokens ?? 0, prompts.count, f.seconds ?? .nan))
        return f
    }
}

/// Failure of a distillation training run.
public enum DistillTrainingError: Error, LocalizedError {
    case tooFewSamples(train: Int, validation: Int)
    case interrupted(URL)

    public var errorDescription: String? {
        switch self {
        case let .tooFewSamples(train, validation):
            return "not enough teacher samples (\(train) for training, \(validation) held out). Hint: generate more with `kinglet distill generate --count N`."
        case let .interrupted(dir):
            return "stopped; the checkpoint in \(dir.path) continues with --resume."
        }
    }
}
