import Foundation

/// A comparison of distillation runs with their baselines: curves, final figures per run and
/// per kind (mean ± std over seeds), the tokens each distilled run needs to reach the
/// baselines' final validation cross-entropy, and the same figures after export (F32, Q8_0, Q4_0).
///
/// `write(html:json:)` produces a self-contained page (inline CSS and SVG, no script, no external
/// asset) and `report.json` with the same numbers.
public struct DistillReport: Sendable {
    /// One run with its derived figures.
    public struct Run: Sendable {
        public var data: DistillRun
        /// Final validation figures.
        public var figures: EvalFigures
        /// Tokens seen at the end.
        public var tokens: Double?
        /// Tokens at which the eval curve first reaches `baselineFinalValCE` (KD runs with a
        /// baseline only); nil when it never does.
        public var tokensToBaseline: Double?
        public var name: String { data.info.name }
        /// The shipped export's figures (nil for runs written before them).
        public var shipped: ShippedFigures? { data.final?.shipped }
        public var kind: RunKind { data.info.kind }
    }

    /// Runs in the order given.
    public var runs: [Run]
    /// Mean final validation CE of the baseline runs (nil without a baseline).
    public var baselineFinalValCE: Double?
    /// Mean tokens the baseline runs trained on.
    public var baselineTokens: Double?
    /// The teacher's own figures (`DistillPipeline.measureTeacher`), nil when not measured.
    public var teacher: ShippedFigures?
    /// The student before any training (a pruned teacher: `DistillPipeline.prepareStudent`), by
    /// the inference engine on the held-out samples: what training starts from. nil: not measured.
    public var untrainedStudent: EvalFigures?

    /// Reads every run directory (and the teacher's figures, when given) and derives the figures.
    public static func build(runDirectories: [URL], teacherFigures: URL? = nil, untrainedStudent: URL? = nil) throws(ReportError) -> DistillReport {
        guard !runDirectories.isEmpty else { throw .noRuns }
        var data: [DistillRun] = []
        for d in runDirectories { data.append(try DistillRun(directory: d)) }
        var report = DistillReport(runs: data, teacher: try teacherFigures.map { url throws(ReportError) in try ShippedFigures(contentsOf: url) })
        if let untrainedStudent {
            do { report.untrainedStudent = try JSONDecoder().decode(EvalFigures.self, from: Data(contentsOf: untrainedStudent)) } catch {
                throw .cannotRead(path: untrainedStudent.path, reason: error.localizedDescription)
            }
        }
        return report
    }

    /// Derives the figures of runs already read.
    public init(runs data: [DistillRun], teacher: ShippedFigures? = nil) {
        self.teacher = teacher
        let baselines = data.filter { $0.info.kind == .baseline }
        baselineFinalValCE = SeedStatistic(baselines.map { $0.finalFigures.valCE })?.mean
        baselineTokens = SeedStatistic(baselines.map(\.finalTokens))?.mean
        let target = baselineFinalValCE
        runs = data.map { r in
            var reach: Double?
            if r.info.kind == .kd, let target {
                let curve = r.eval.sorted { $0.tokens < $1.tokens }.map { (tokens: $0.tokens, value: $0.valCE) }
                reach = CurveCrossing.tokensToReach(target, curve: curve)
            }
            return Run(data: r, figures: r.finalFigures, tokens: r.finalTokens, tokensToBaseline: reach)
        }
    }

    /// Export formats present in any run, in the order f32, q8_0, q4_0, then others by name.
    public var exportFormats: [String] {
        let all = Set(runs.flatMap { $0.data.final?.exports?.keys.map { $0 } ?? [] })
        let known = ["f32", "q8_0", "q4_0"]
        return known.filter(all.contains) + all.subtracting(known).sorted()
    }

    /// Each held-out prompt answered by the teacher or any run, in the teacher's order (then the
    /// runs'), with every model's answer to it.
    public var answers: [(prompt: HeldOutAnswer, teacher: String?, runs: [(name: String, text: String)])] {
        var order: [String] = [], first: [String: HeldOutAnswer] = [:]
        for a in (teacher?.answers ?? []) + runs.flatMap({ $0.shipped?.answers ?? [] }) where first[a.id] == nil {
            order.append(a.id)
            first[a.id] = a
        }
        return order.map { id in
            (first[id]!, teacher?.answers?.first { $0.id == id }?.text,
             runs.compactMap { r in r.shipped?.answers?.first { $0.id == id }.map { (r.name, $0.text) } })
        }
    }

    /// A run's decode speed as a multiple of the teacher's.
    public func speedup(_ run: Run) -> Double? {
        guard let s = run.shipped?.tg128TokensPerSecond, let t = teacher?.tg128TokensPerSecond, t > 0 else { return nil }
        return s / t
    }

    /// Kinds present, KD first.
    public var kinds: [RunKind] { RunKind.allCases.filter { k in runs.contains { $0.kind == k } } }

    /// Mean ± std over the runs of `kind` of one figure.
    public func statistic(_ kind: RunKind, _ value: (Run) -> Double?) -> SeedStatistic? {
        SeedStatistic(runs.filter { $0.kind == kind }.map(value))
    }

    /// Writes the HTML page and the JSON beside it.
    public func write(html: URL, json: URL) throws(ReportError) {
        let page = Data(htmlPage().utf8)
        let object: Data
        do { object = try JSONSerialization.data(withJSONObject: jsonObject(), options: [.prettyPrinted, .sortedKeys]) } catch {
            throw .cannotWrite(path: json.path, reason: "\(error)")
        }
        for (url, bytes) in [(html, page), (json, object)] {
            do { try bytes.write(to: url, options: .atomic) } catch {
                throw .cannotWrite(path: url.path, reason: (error as NSError).localizedDescription)
            }
        }
    }
}
