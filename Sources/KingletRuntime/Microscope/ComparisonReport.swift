import Foundation

/// What `Comparison` measured: every model the same way on the same machine, as JSON
/// (`report.json`) and as the page ``ComparisonPage`` draws.
public struct ComparisonReport: Sendable, Codable {
    /// A mean with its spread: standard deviation for speeds, the estimator's ± for the rest.
    public struct Measure: Sendable, Codable, Equatable {
        public var value: Double
        public var uncertainty: Double
        public init(_ value: Double, _ uncertainty: Double) {
            self.value = value
            self.uncertainty = uncertainty
        }
    }

    /// Against the reference: the statistics `--compare-logits` prints, in brief.
    public struct Divergence: Sendable, Codable, Equatable {
        public var meanKLD: Measure
        public var kld99: Double
        public var sameTop: Measure
        public var rmsDeltaP: Measure
    }

    /// A greedy continuation and where it first differs from the reference's (a character offset).
    public struct Continuation: Sendable, Codable, Equatable {
        public var prompt: String
        public var text: String
        public var firstDivergence: Int?
    }

    public struct Model: Sendable, Codable {
        public var name: String
        public var path: String
        public var architecture: String
        /// The tensor types, counted (`109 F32, 81 Q5_0, ...`).
        public var weights: String
        public var parameters: Int
        public var fileBytes: Int
        public var loadSeconds: Double
        /// Resident memory the model added while loading and generating `generationTokens`
        /// tokens: the process's peak minus what it held before the load (Linux; nil elsewhere).
        public var peakResidentBytes: Int?
        public var promptTokensPerSecond: Measure
        public var generationTokensPerSecond: Measure
        public var perplexity: Measure
        /// Mean negative log-likelihood of the scored tokens, in bits per byte of their text: it
        /// compares models whose tokenizers differ.
        public var bitsPerByte: Double
        public var scoredTokens: Int
        /// nil for the reference itself, and for a model whose vocabulary differs from it.
        public var divergence: Divergence?
        /// Why `divergence` is absent, when it is.
        public var divergenceNote: String?
        public var continuations: [Continuation]
        public var isReference: Bool
    }

    public var command: String
    public var date: String
    public var machine: String
    public var kernels: String
    public var threads: Int
    public var textFile: String
    public var textBytes: Int
    public var context: Int
    public var chunks: Int
    public var promptTokens: Int
    public var generationTokens: Int
    public var repetitions: Int
    public var models: [Model]
}
