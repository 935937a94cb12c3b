import KingletGrammar
import KingletTokenizer

/// What a constrained generation must produce: a compiled grammar the output's bytes must be a
/// sentence of. Put one in `GenerateParameters.constraint`; each sequence then samples only tokens
/// that keep its output a prefix of a sentence, ends only where the grammar accepts, and ends
/// (finish reason `stop`) as soon as the output is complete and nothing more can follow.
///
/// If `maxTokens` (or the context) ends a generation before the grammar accepts, the finish
/// reason is `length` and the output is an incomplete value. Log-probabilities are reported after
/// masking (over the allowed tokens only).
///
/// ```swift
/// var p = GenerateParameters()
/// p.constraint = try .jsonSchema(#"{"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"]}"#)
/// ```
public struct OutputConstraint: Sendable {
    /// The grammar the output follows.
    public let grammar: Grammar
    /// What identifies the grammar (its source), so an engine can keep its token masks between
    /// generations (``MaskerCache``); nil: not kept.
    public let key: String?

    /// A constraint to `grammar`; give `key` (e.g. its source text) to let its masks be kept.
    public init(grammar: Grammar, key: String? = nil) {
        self.grammar = grammar
        self.key = key
    }

    /// llama.cpp GBNF text (rule `root` first matched).
    ///
    /// - Throws: `GrammarError` for a syntax error, an undefined rule, left recursion.
    public static func gbnf(_ text: String) throws(GrammarError) -> OutputConstraint {
        OutputConstraint(grammar: try Grammar(gbnf: text), key: "gbnf:" + text)
    }

    /// The JSON texts that validate against a JSON Schema (given as JSON text).
    ///
    /// - Throws: `GrammarError.unsupportedSchema` naming a keyword that
    ///   would not be enforced and its JSON path; `GrammarError.invalidSchema`.
    public static func jsonSchema(_ text: String) throws(GrammarError) -> OutputConstraint {
        OutputConstraint(grammar: try Grammar(jsonSchema: text), key: "schema:" + text)
    }

    /// Any JSON value.
    public static var json: OutputConstraint { OutputConstraint(grammar: .json, key: "json") }

    /// Any JSON object (OpenAI's `response_format: {"type": "json_object"}`).
    public static var jsonObject: OutputConstraint { OutputConstraint(grammar: .jsonObject, key: "json-object") }
}

extension TokenTrie {
    /// The prefix tree of a tokenizer's token bytes. Control, unknown and unused tokens are never
    /// text; end-of-generation tokens are allowed only where a grammar accepts.
    public init(tokenizer: Tokenizer) {
        var special = Set<Int32>()
        var endOfGeneration = Set<Int32>()
        let n = Int32(tokenizer.vocabularySize)
        var vocabulary: [[UInt8]] = []
        vocabulary.reserveCapacity(Int(n))
        for id in 0 ..< n {
            if tokenizer.isEndOfGeneration(id) { endOfGeneration.insert(id) }
            if !tokenizer.attributes(id).isDisjoint(with: [.control, .unknown, .unused]) { special.insert(id) }
            vocabulary.append(tokenizer.piece(id, special: true))
        }
        self.init(vocabulary: vocabulary, special: special, endOfGeneration: endOfGeneration)
    }
}

/// One sequence's grammar state: masks logits before sampling and follows the sampled tokens.
final class ConstraintGuide {
    let matcher: GrammarMatcher
    private let trie: TokenTrie
    private let allowEnd: Bool
    private var bits: [UInt64] = []

    /// - Parameter allowEnd: false when end-of-generation tokens are ignored (never allowed).
    init(masker: TokenMasker, allowEnd: Bool) throws(GrammarError) {
        matcher = try GrammarMatcher(masker: masker)
        self.trie = masker.trie
        self.allowEnd = allowEnd
    }

    /// Sets every disallowed token's logit to -infinity (ids past the vocabulary included).
    /// Returns false when no token is allowed.
    func mask(_ logits: inout [Float]) -> Bool {
        matcher.mask(into: &bits)
        if !allowEnd { for t in trie.endOfGeneration { bits[Int(t) >> 6] &= ~(1 << UInt64(t & 63)) } }
        var any = false
        logits.withUnsafeMutableBufferPointer { l in
            for w in 0 ..< (l.count + 63) / 64 {
                let word = w < bits.count ? bits[w] : 0
                if word != 0 { any = true }
                if word == ~0 { continue }
                for i in w * 64 ..< min(l.count, w * 64 + 64) where word & (1 << UInt64(i & 63)) == 0 {
                    l[i] = -.infinity
                }
            }
        }
        return any
    }

    /// Feeds the sampled token; false if the grammar refuses it (never after `mask`).
    func accept(_ token: Int32) -> Bool {
        do { try matcher.accept(token: token) } catch { return false }
        return true
    }

    /// The output is a complete sentence and nothing more can follow.
    var isComplete: Bool { matcher.isAccepting && !matcher.canContinue }
}
