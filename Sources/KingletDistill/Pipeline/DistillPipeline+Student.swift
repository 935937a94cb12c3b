import Foundation
import KingletArchitectures
import KingletGGUF
import KingletKernels
import KingletTokenizer
import KingletTraining

/// The student's starting point: for `prune:…`, the teacher cut down on its own samples
/// (DIR/student-init/pruned.gguf, prune.json) and measured before any training (eval.json: the
/// report's first point, what healing starts from).
extension DistillPipeline {
    /// DIR/student-init/.
    public var studentInitDirectory: URL { directory.appendingPathComponent("student-init") }
    public var prunedStudentURL: URL { studentInitDirectory.appendingPathComponent("pruned.gguf") }

    /// The GGUF the students start from; nil for a preset (random weights).
    public var initialWeightsURL: URL? {
        switch configuration.student {
        case .preset: nil
        case .pruned: prunedStudentURL
        case let .initial(path): URL(fileURLWithPath: path).standardizedFileURL
        }
    }

    /// Stage 2½: prunes the teacher when the student is `prune:…` (skipped when pruned.gguf is
    /// there), then measures the untrained student on the held-out samples (skipped when
    /// eval.json is there). Returns the untrained student's figures, or nil for other students.
    @discardableResult
    public func prepareStudent(events: @escaping DistillEventHandler = { _ in }) throws -> EvalFigures? {
        guard case let .pruned(spec) = configuration.student else { return nil }
        let c = configuration
        let teacherPath = try store.resolve(c.teacher) { events(.message($0)) }
        let (train, validation) = try DistillTrainingJob.sequences(dataDirectory: dataDirectory, length: c.seq,
                                                                    validationFraction: c.validationFraction)
        if !FileManager.default.fileExists(atPath: prunedStudentURL.path) {
            let started = Date()
            let weights = try PretrainedWeights.load(teacherPath)
            let windows = try ModelPruning.windows(from: train.map(\.tokens), length: ModelPruning.defaultWindowLength,
                                                   count: ModelPruning.defaultWindowCount)   // the first training sequences, by id
            let pool = try ThreadPool.sized(c.threads)
            let (pruned, plan) = try ModelPruning.prune(weights, spec: spec, windows: windows, pool: pool)
            try pruned.write(to: prunedStudentURL, name: "student pruned \(spec)")
            try plan.write(to: studentInitDirectory.appendingPathComponent("prune.json"))
            let dropped = Set(0 ..< weights.config.layerCount).subtracting(plan.keptLayers).sorted()
            events(.message(String(format: "pruned the teacher to %@ in %.0f s: %.1fM → %.1fM parameters; layers dropped %@ (by KL when skipped)",
                                   spec.description, Date().timeIntervalSince(started), Double(weights.parameters.count) / 1e6,
                                   Double(pruned.parameters.count) / 1e6, dropped.map(String.init).joined(separator: ","))))
        }
        let evalURL = studentInitDirectory.appendingPathComponent("eval.json")
        if let data = try? Data(contentsOf: evalURL), let saved = try? JSONDecoder().decode(EvalFigures.self, from: data) { return saved }
        let tokenizer = try Tokenizer(gguf: GGUFFile(path: teacherPath.path))
        let scores = try TeacherScoreStore(directory: dataDirectory.appendingPathComponent("scores"),
                                           expectedTokenizerFingerprint: VocabularyFingerprint.of(tokenizer))
        let held = Array(validation.prefix(DistillTrainingJob.defaultMaxValidationSamples))
        let r = try ExportEvaluation.evaluate(gguf: prunedStudentURL, sequences: held, store: scores, length: c.seq, threads: c.threads)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: prunedStudentURL.path)[.size] as? NSNumber)?.doubleValue
        let figures = EvalFigures(valCE: r["val_ce"], klToTeacher: r["kl_to_teacher"], top1Agreement: r["top1_agreement"], fileBytes: bytes)
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        try e.encode(figures).write(to: evalURL, options: .atomic)
        events(.trained(name: "pruned, untrained", figures: figures, evalFile: evalURL))
        return figures
    }

    /// The student's training shape: the preset's, or the starting GGUF's.
    func studentShape() throws -> ModelShape {
        if case let .preset(p) = configuration.student { return ModelShape(p.config(vocabularySize: 1, contextLength: 1)) }
        let url = initialWeightsURL!
        let file: GGUFFile
        do { file = try GGUFFile(path: url.path) } catch { throw PretrainedWeightsError.unreadable(path: url.path, reason: error.localizedDescription) }
        return ModelShape(try ModelConfig(gguf: file, architecture: file.architecture ?? "llama"))
    }
}
