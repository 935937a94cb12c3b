import Foundation
import KingletKernels
import KingletTokenizer

/// A sampled token's log-probability under the model (log-softmax of the raw logits, before
/// penalties, temperature or truncation) and the most likely alternatives at that position.
public struct TokenLogprob: Sendable, Equatable {
    /// One token with its log-probability and UTF-8 bytes (a piece may be part of a character).
    public struct Entry: Sendable, Equatable {
        /// The token id.
        public var token: Int32
        /// Natural log of its probability (≤ 0).
        public var logprob: Float
        /// Its piece's bytes (control tokens render as nothing).
        public var bytes: [UInt8]
        /// The bytes as text (U+FFFD for an incomplete character).
        public var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    /// The token that was chosen.
    public var chosen: Entry
    /// The `top` most likely tokens, most likely first (ties by ascending id).
    public var top: [Entry]

    /// Computes the chosen token's entry and the `top` alternatives from logits ([V]).
    public init(token: Int32, logits: [Float], top n: Int, tokenizer: Tokenizer) {
        let lse = Self.logSumExp(logits)
        func entry(_ id: Int32) -> Entry {
            Entry(token: id, logprob: logits[Int(id)] - lse, bytes: tokenizer.piece(id, special: false))
        }
        chosen = entry(token)
        // Masked (constrained) logits are -infinity: such tokens are not alternatives.
        top = Self.largest(logits, count: n).map(entry).filter { $0.logprob.isFinite }
    }

    /// log Σ exp(x), computed stably.
    public static func logSumExp(_ x: [Float]) -> Float {
        guard !x.isEmpty else { return 0 }
        let row = x.withUnsafeBufferPointer { LogitsRow($0) }
        return row.max.isFinite ? row.max + Float(log(row.sum)) : x.max()!
    }

    /// Indices of the `count` largest values, largest first (ties: lower index first).
    static func largest(_ x: [Float], count: Int) -> [Int32] {
        TopK.select(x, k: count).map(\.id)
    }
}
