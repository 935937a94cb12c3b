import Foundation
import KingletText

/// What `route eval` found: per item both answers, whether each is right and the local answer's
/// scores; per signal the routing curve and its figures beside random routing's. Written as
/// `route-eval.json`; `route calibrate` reads it back.
public struct RouteEvaluation: Codable, Sendable {
    /// One item's outcome.
    public struct Record: Codable, Sendable {
        public var family: String?
        public var localAnswer: String
        public var upstreamAnswer: String
        public var localCorrect: Bool
        public var upstreamCorrect: Bool
        /// Every signal's score of the local answer (null: not finite, i.e. no tokens).
        public var scores: [String: Double?]

        public init(family: String?, localAnswer: String, upstreamAnswer: String, localCorrect: Bool, upstreamCorrect: Bool, scores: [String: Double?]) {
            self.family = family
            self.localAnswer = localAnswer
            self.upstreamAnswer = upstreamAnswer
            self.localCorrect = localCorrect
            self.upstreamCorrect = upstreamCorrect
            self.scores = scores
        }

        func score(_ signal: String) -> Double { (scores[signal] ?? nil) ?? -.infinity }
    }

    /// One signal's figures (and random routing's, under the name `random`).
    public struct Signal: Codable, Sendable {
        public var name: String
        public var auroc: Double?
        public var apgr: Double?
        public var cpt50: Double?
        public var cpt80: Double?
        /// The threshold meeting the target (escalation share, or quality when given).
        public var threshold: Double?
        /// Share escalated and accuracy at that threshold on this set.
        public var escalation: Double?
        public var accuracy: Double?
        /// (share escalated, accuracy) from 0 to 1.
        public var curve: [[Double]]

        enum CodingKeys: String, CodingKey { case name, auroc, apgr, cpt50, cpt80, threshold, escalation, accuracy, curve }

        /// Every field written, `null` when undefined (no gap between the models, one class only).
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            for (key, value) in [(CodingKeys.auroc, auroc), (.apgr, apgr), (.cpt50, cpt50), (.cpt80, cpt80),
                                 (.threshold, threshold), (.escalation, escalation), (.accuracy, accuracy)] {
                try c.encode(value, forKey: key)
            }
            try c.encode(curve, forKey: .curve)
        }
    }

    public var localModel: String
    public var upstream: String
    public var data: String
    public var localAccuracy: Double
    public var upstreamAccuracy: Double
    public var targetEscalation: Double?
    public var targetQuality: Double?
    public var signals: [Signal]
    public var random: Signal
    /// The signal with the highest APGR (AUROC when no gap).
    public var best: String?
    /// Per family: items, local accuracy, upstream accuracy.
    public var families: [String: [String: Double]]
    public var items: [Record]

    /// Computes every figure from `items`.
    public init(items: [Record], localModel: String, upstream: String, data: String,
                targetEscalation: Double?, targetQuality: Double?, signals names: [String] = ConfidenceSignal.all.map(\.description)) {
        self.items = items
        self.localModel = localModel
        self.upstream = upstream
        self.data = data
        self.targetEscalation = targetEscalation
        self.targetQuality = targetQuality
        let n = Double(max(items.count, 1))
        localAccuracy = Double(items.filter(\.localCorrect).count) / n
        upstreamAccuracy = Double(items.filter(\.upstreamCorrect).count) / n
        signals = names.map { name in
            let curve = RoutingCurve(items.map { RoutingCurve.Item(localCorrect: $0.localCorrect, upstreamCorrect: $0.upstreamCorrect, score: $0.score(name)) })
            return Self.figures(name: name, curve: curve, targetEscalation: targetEscalation, targetQuality: targetQuality)
        }
        let (l, u) = (localAccuracy, upstreamAccuracy)
        let gap = u > l
        random = Signal(name: "random", auroc: 0.5, apgr: gap ? 0.5 : nil, cpt50: gap ? 0.5 : nil, cpt80: gap ? 0.8 : nil,
                        threshold: nil, escalation: targetEscalation, accuracy: targetEscalation.map { l + (u - l) * $0 },
                        curve: [[0, l], [1, u]])
        best = signals.max { ($0.apgr ?? $0.auroc ?? 0) < ($1.apgr ?? $1.auroc ?? 0) }?.name
        var families: [String: [String: Double]] = [:]
        for (family, group) in Dictionary(grouping: items, by: { $0.family ?? "-" }) {
            let m = Double(group.count)
            families[family] = ["items": m, "local_accuracy": Double(group.filter(\.localCorrect).count) / m,
                                "upstream_accuracy": Double(group.filter(\.upstreamCorrect).count) / m]
        }
        self.families = families
    }

    static func figures(name: String, curve c: RoutingCurve, targetEscalation: Double?, targetQuality: Double?) -> Signal {
        var threshold: Double?
        if let q = targetQuality { threshold = c.threshold(quality: q) } else if let e = targetEscalation { threshold = c.threshold(escalating: e) }
        var escalation: Double?, accuracy: Double?
        if let t = threshold, c.count > 0 {
            let k = c.sortedScores.filter { $0 < t }.count
            escalation = Double(k) / Double(c.count)
            accuracy = c.accuracy[k]
        }
        let points = c.accuracy.indices.map { [Double($0) / Double(max(c.count, 1)), c.accuracy[$0]] }
        return Signal(name: name, auroc: c.auroc, apgr: c.apgr, cpt50: c.cpt(0.5), cpt80: c.cpt(0.8),
                      threshold: threshold.flatMap { $0.isFinite ? $0 : nil }, escalation: escalation, accuracy: accuracy, curve: points)
    }

    public static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return e
    }

    public static func read(_ path: String) throws(RouteEvalError) -> RouteEvaluation {
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path) }
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        do { return try d.decode(RouteEvaluation.self, from: data) } catch { throw .badEvaluation(path: path, reason: DecodingError.describe(error, decoding: Array(data))) }
    }
}
