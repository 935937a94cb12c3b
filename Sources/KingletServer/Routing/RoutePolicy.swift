import Foundation
import KingletText

/// When the router escalates: the answer's `signal` score below `threshold` sends the request
/// upstream. With `earlyTokens` K, the decision is taken on the first K tokens (or the whole
/// answer if shorter) and a request to escalate stops the local generation there.
///
/// Written as `SIGNAL:THRESHOLD[:early=K]` (`min-logprob:-3.5:early=8`), or as the JSON file
/// `route calibrate` writes: `{"signal": "min-logprob", "threshold": -3.5, "early_tokens": 8}`.
public struct RoutePolicy: Sendable, Equatable, Codable {
    public var signal: ConfidenceSignal
    public var threshold: Double
    public var earlyTokens: Int?

    public init(signal: ConfidenceSignal, threshold: Double, earlyTokens: Int? = nil) {
        self.signal = signal
        self.threshold = threshold
        self.earlyTokens = earlyTokens
    }

    /// Whether an answer scoring `score` stays local.
    public func keepsLocal(_ score: Double) -> Bool { score >= threshold }

    /// Parses `SIGNAL:THRESHOLD[:early=K]`.
    public init(spec: String) throws(RoutePolicyError) {
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 || parts.count == 3 else { throw .badSpec(spec) }
        guard let signal = ConfidenceSignal(name: parts[0]) else { throw .unknownSignal(parts[0]) }
        guard let threshold = Double(parts[1]), threshold.isFinite else { throw .badSpec(spec) }
        var early: Int?
        if parts.count == 3 {
            guard parts[2].hasPrefix("early="), let k = Int(parts[2].dropFirst(6)), k > 0 else { throw .badSpec(spec) }
            early = k
        }
        self.init(signal: signal, threshold: threshold, earlyTokens: early)
    }

    /// Reads the JSON file at `path` (at most 1 MiB).
    public init(file path: String) throws(RoutePolicyError) {
        let data: Data
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            if let size = attributes[.size] as? Int, size > 1 << 20 { throw RoutePolicyError.badFile(path: path, reason: "it is over 1 MiB") }
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch let e as RoutePolicyError {
            throw e
        } catch {
            throw .badFile(path: path, reason: (error as NSError).localizedFailureReason ?? error.localizedDescription)
        }
        do { self = try JSONDecoder().decode(RoutePolicy.self, from: data) } catch let e as RoutePolicyError {
            throw e
        } catch {
            throw .badFile(path: path, reason: DecodingError.describe(error, decoding: Array(data)))
        }
    }

    /// A `--route` value: a file when one exists at that path, else a spec.
    public init(specOrFile value: String) throws(RoutePolicyError) {
        if FileManager.default.fileExists(atPath: value) { try self.init(file: value) } else { try self.init(spec: value) }
    }

    enum CodingKeys: String, CodingKey { case signal, threshold, earlyTokens = "early_tokens" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let name = try c.decode(String.self, forKey: .signal)
        guard let signal = ConfidenceSignal(name: name) else { throw RoutePolicyError.unknownSignal(name) }
        self.signal = signal
        threshold = try c.decode(Double.self, forKey: .threshold)
        earlyTokens = try c.decodeIfPresent(Int.self, forKey: .earlyTokens)
        if let k = earlyTokens, k <= 0 { throw RoutePolicyError.badSpec("early_tokens \(k)") }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(signal.description, forKey: .signal)
        try c.encode(threshold, forKey: .threshold)
        try c.encodeIfPresent(earlyTokens, forKey: .earlyTokens)
    }
}

/// Why a routing policy could not be read.
public enum RoutePolicyError: Error, Sendable, Equatable, LocalizedError {
    case badSpec(String)
    case unknownSignal(String)
    case badFile(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .badSpec(let s):
            return "'\(s)' is not a routing policy. Write SIGNAL:THRESHOLD[:early=K], e.g. min-logprob:-3.5:early=8."
        case .unknownSignal(let s):
            return "unknown confidence signal '\(s)'. Known: mean-logprob, min-logprob, chow-quantile[@Q], mean-entropy."
        case .badFile(let path, let reason):
            return "cannot read the routing policy file \(path): \(reason). It is the JSON that `kinglet route calibrate` writes."
        }
    }
}
