import Foundation
import KingletText

/// Whether a run distilled from the teacher or trained on the data alone.
public enum RunKind: String, Sendable, Codable, CaseIterable {
    case kd, baseline
}

/// `RUN/run.json`: what was trained.
public struct RunInfo: Sendable, Equatable, Codable {
    public var name: String
    public var kind: RunKind
    public var seed: Int
    public var student: String
    public var parameters: Int
    public var alpha: Double?
    public var temperature: Double?
    public var divergence: String?
}

/// A `{"type": "train", ...}` line of `RUN/metrics.jsonl`.
public struct TrainPoint: Sendable, Equatable, Codable {
    public var step: Int
    public var tokens: Double
    public var loss: Double
    public var lr: Double?
    public var gradNorm: Double?
    public var tokensPerS: Double?
    public var gflops: Double?
    public var elapsedS: Double?

    enum CodingKeys: String, CodingKey {
        case step, tokens, loss, lr, gflops
        case gradNorm = "grad_norm", tokensPerS = "tokens_per_s", elapsedS = "elapsed_s"
    }
}

/// A `{"type": "eval", ...}` line of `RUN/metrics.jsonl`.
public struct EvalPoint: Sendable, Equatable, Codable {
    public var step: Int
    public var tokens: Double
    public var valCE: Double
    public var klToTeacher: Double?
    public var top1Agreement: Double?

    enum CodingKeys: String, CodingKey {
        case step, tokens, valCE = "val_ce", klToTeacher = "kl_to_teacher", top1Agreement = "top1_agreement"
    }
}

/// Validation figures of a model: the trained one or an export of it.
public struct EvalFigures: Sendable, Equatable, Codable {
    public var valCE: Double?
    public var klToTeacher: Double?
    public var top1Agreement: Double?
    public var fileBytes: Double?

    enum CodingKeys: String, CodingKey {
        case valCE = "val_ce", klToTeacher = "kl_to_teacher", top1Agreement = "top1_agreement", fileBytes = "file_bytes"
    }
}

/// `RUN/eval.json`: the final evaluation, and of each exported file ("f32", "q8_0", "q4_0").
public struct FinalEval: Sendable, Equatable, Codable {
    public var valCE: Double?
    public var klToTeacher: Double?
    public var top1Agreement: Double?
    public var tokens: Double?
    public var exports: [String: EvalFigures]?
    /// The shipped export's speed, size and answers (absent in runs written before them).
    public var shipped: ShippedFigures?
    /// Where the run's wall time went (`RunTiming`: seconds per phase and `total`; absent in older runs).
    public var seconds: [String: Double]?

    enum CodingKeys: String, CodingKey {
        case valCE = "val_ce", klToTeacher = "kl_to_teacher", top1Agreement = "top1_agreement", tokens, exports, shipped, seconds
    }
}

/// One run directory, read.
public struct DistillRun: Sendable, Equatable {
    public var directory: URL
    public var info: RunInfo
    public var train: [TrainPoint]
    public var eval: [EvalPoint]
    /// eval.json, nil while the run has not written it.
    public var final: FinalEval?
    /// onpolicy-rounds.json: a KD run's on-policy rounds (nil for an off-policy run).
    public var onPolicy: OnPolicyRounds?

    /// Final figures: eval.json's, else the last eval line's.
    public var finalFigures: EvalFigures {
        if let f = final {
            return EvalFigures(valCE: f.valCE, klToTeacher: f.klToTeacher, top1Agreement: f.top1Agreement, fileBytes: nil)
        }
        let last = eval.last
        return EvalFigures(valCE: last?.valCE, klToTeacher: last?.klToTeacher, top1Agreement: last?.top1Agreement, fileBytes: nil)
    }

    /// Tokens seen at the end: eval.json's, else the last metrics line's.
    public var finalTokens: Double? {
        final?.tokens ?? [train.last?.tokens, eval.last?.tokens].compactMap { $0 }.max()
    }

    /// Reads `run.json`, `metrics.jsonl` and (when present) `eval.json`.
    public init(directory: URL) throws(ReportError) {
        self.directory = directory
        let runURL = directory.appendingPathComponent("run.json")
        info = try Self.decode(RunInfo.self, from: try Self.read(runURL), path: runURL.path, line: nil)
        let metricsURL = directory.appendingPathComponent("metrics.jsonl")
        (train, eval) = try Self.readMetrics(metricsURL)
        let evalURL = directory.appendingPathComponent("eval.json")
        final = FileManager.default.fileExists(atPath: evalURL.path)
            ? try Self.decode(FinalEval.self, from: try Self.read(evalURL), path: evalURL.path, line: nil) : nil
        onPolicy = OnPolicyRounds.saved(in: directory)
    }

    public init(directory: URL, info: RunInfo, train: [TrainPoint], eval: [EvalPoint], final: FinalEval?) {
        self.directory = directory
        self.info = info
        self.train = train
        self.eval = eval
        self.final = final
    }

    private struct LineType: Decodable { var type: String }

    /// Train and eval lines in file order. Unknown line types are skipped; a last line cut off
    /// mid-write (no final newline) is ignored, any other bad line is an error.
    static func readMetrics(_ url: URL) throws(ReportError) -> ([TrainPoint], [EvalPoint]) {
        let data = try read(url)
        let endsWithNewline = data.last == UInt8(ascii: "\n")
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        var train: [TrainPoint] = [], eval: [EvalPoint] = []
        for (i, raw) in lines.enumerated() {
            let line = Data(raw)
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            do throws(ReportError) {
                switch try decode(LineType.self, from: line, path: url.path, line: i + 1).type {
                case "train": train.append(try decode(TrainPoint.self, from: line, path: url.path, line: i + 1))
                case "eval": eval.append(try decode(EvalPoint.self, from: line, path: url.path, line: i + 1))
                default: continue
                }
            } catch {
                if i == lines.count - 1 && !endsWithNewline { continue }
                throw error
            }
        }
        return (train, eval)
    }

    static func read(_ url: URL) throws(ReportError) -> Data {
        do { return try Data(contentsOf: url) } catch {
            throw .cannotRead(path: url.path, reason: (error as NSError).localizedDescription)
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data, path: String, line: Int?) throws(ReportError) -> T {
        do { return try JSONDecoder().decode(T.self, from: data) } catch {
            throw .badJSON(path: path, line: line, reason: DecodingError.describe(error))
        }
    }
}

/// Why a report could not be built or written.
public enum ReportError: Error, Sendable, Equatable, LocalizedError {
    case cannotRead(path: String, reason: String)
    case badJSON(path: String, line: Int?, reason: String)
    case cannotWrite(path: String, reason: String)
    case noRuns

    public var errorDescription: String? {
        switch self {
        case .cannotRead(let path, let reason):
            return "cannot read \(path): \(Self.sentence(reason)) Is this a run directory written by `kinglet distill train`?"
        case .badJSON(let path, let line, let reason):
            return "\(path)\(line.map { ", line \($0)" } ?? ""): \(reason). The run's files are damaged or from another version."
        case .cannotWrite(let path, let reason):
            return "cannot write \(path): \(Self.sentence(reason)) Check that the directory exists and is writable."
        case .noRuns:
            return "no run directories given. Pass one or more directories written by `kinglet distill train`."
        }
    }

    /// `reason` ending in exactly one full stop (system messages often bring their own).
    static func sentence(_ reason: String) -> String { reason.hasSuffix(".") ? reason : reason + "." }
}
