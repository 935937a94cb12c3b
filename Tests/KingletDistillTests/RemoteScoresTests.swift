import Foundation
import KingletTokenizer
import KingletRuntime
import Testing
@testable import KingletDistill

@Suite struct RemoteScoresTests {
    typealias Top = TeacherLogprob
    static let vocabulary: [String: Int32] = ["the": 5, "Ġthe": 6, "a": 1, "Ġcat": 9]
    static func resolve(_ s: String) -> Int32? { vocabulary[s] }

    @Test func convertsKnownTokensAndPutsTheRestInTheTail() throws {
        let s = ScoredSequence(id: "r", tokens: [0, 6, 9], promptLength: 1)   // two completion tokens
        let lists: [[Top]] = [
            [Top(token: "Ġthe", logprob: log(0.5)), Top(token: "??", logprob: log(0.2)), Top(token: "a", logprob: log(0.1))],
            [Top(token: "a", logprob: log(0.05)), Top(token: "Ġcat", logprob: log(0.9))],
        ]
        let r = try ScoreRecordBuilder.fromTopLogprobs(sequence: s, topLogprobs: lists, k: 3, vocabularySize: 10, tokenID: Self.resolve)
        #expect(r.id == "r" && r.contentHash == s.contentHash && r.k == 3 && r.positionCount == 2)
        #expect(r.ids == [6, 1, ScoreRecord.paddingID, 9, 1, ScoreRecord.paddingID])
        #expect(abs(Double(r.logprobs[0]) - log(0.5)) < 1e-6 && abs(Double(r.logprobs[1]) - log(0.1)) < 1e-6)
        #expect(r.logprobs[2] == -.infinity)
        // The unknown "??" (0.2) joins the unlisted 0.2: tail 0.4; second position 1 − 0.95.
        #expect(abs(exp(Double(r.tailLogMass[0])) - 0.4) < 1e-6)
        #expect(abs(exp(Double(r.tailLogMass[1])) - 0.05) < 1e-6)
        for p in 0 ..< 2 {
            let sum = r.logprobs[p * 3 ..< p * 3 + 3].reduce(0.0) { $0 + exp(Double($1)) } + exp(Double(r.tailLogMass[p]))
            #expect(abs(sum - 1) < 1e-6)
        }
        try r.validate(k: 3, vocabularySize: 10)
    }

    @Test func keepsTheKMostLikelyAndCleansBadEntries() throws {
        let s = ScoredSequence(id: "r", tokens: [0, 1], promptLength: 1)
        let list = [Top(token: "a", logprob: log(0.1)), Top(token: "the", logprob: log(0.3)), Top(token: "Ġthe", logprob: 1e-7),
                    Top(token: "Ġcat", logprob: -.infinity), Top(token: "the", logprob: log(0.2)), Top(token: "a", logprob: .nan)]
        let r = try ScoreRecordBuilder.fromTopLogprobs(sequence: s, topLogprobs: [list], k: 2, vocabularySize: 10, tokenID: Self.resolve)
        #expect(r.ids == [6, 5])
        #expect(r.logprobs[0] == 0, "a positive log-probability is clamped to 0")
        #expect(r.tailLogMass[0] == Float(log(TopKLogSoftmax.minimumTailMass)), "Σ p ≥ 1 leaves the smallest tail")
        let outOfVocabulary = try ScoreRecordBuilder.fromTopLogprobs(sequence: s, topLogprobs: [list], k: 4, vocabularySize: 6, tokenID: Self.resolve)
        #expect(!outOfVocabulary.ids.contains(9) && !outOfVocabulary.ids.contains(6), "ids ≥ V are dropped")
    }

    @Test func listsMustMatchTheCompletion() {
        let s = ScoredSequence(id: "r", tokens: [0, 1, 2], promptLength: 1)
        #expect(throws: ScoreError.topLogprobsMismatch(id: "r", expectedPositions: 2, found: 1)) {
            try ScoreRecordBuilder.fromTopLogprobs(sequence: s, topLogprobs: [[]], k: 2, vocabularySize: 10, tokenID: Self.resolve)
        }
        let r = try? ScoreRecordBuilder.fromTopLogprobs(sequence: s, topLogprobs: [[], []], k: 2, vocabularySize: 10, tokenID: Self.resolve)
        #expect(r?.tailLogMass == [0, 0], "an empty list leaves all mass in the tail")
    }

    @Test func resolvesVocabularyPiecesAndDecodedText() throws {
        // Byte-level BPE: 256 byte tokens (id = byte), then "Ġa" (256) and "ab" (257).
        let alphabet = Self.byteAlphabet()
        let tokens = alphabet.map(String.init) + ["Ġa", "ab"]
        let tok = try Tokenizer(TokenizerConfiguration(tokens: tokens, merges: ["Ġ a", "a b"]))
        #expect(ScoreRecordBuilder.tokenID(for: "Ġa", tokenizer: tok) == 256, "a stored piece")
        #expect(ScoreRecordBuilder.tokenID(for: " a", tokenizer: tok) == 256, "decoded text of one token")
        #expect(ScoreRecordBuilder.tokenID(for: "ab", tokenizer: tok) == 257)
        #expect(ScoreRecordBuilder.tokenID(for: " ab", tokenizer: tok) == nil, "text of two tokens")
        let s = ScoredSequence(id: "t", tokens: [97, 256], promptLength: 1)
        let r = try ScoreRecordBuilder.fromTopLogprobs(
            sequence: s, topLogprobs: [[Top(token: " a", logprob: log(0.7)), Top(token: " ab", logprob: log(0.2))]], k: 2, tokenizer: tok)
        #expect(r.ids == [256, ScoreRecord.paddingID])
        #expect(abs(exp(Double(r.tailLogMass[0])) - 0.3) < 1e-6)
    }

    /// GPT-2's byte alphabet: printable Latin-1 stands for itself, the other bytes map in order to U+0100...
    static func byteAlphabet() -> [Character] {
        var out = [Character](repeating: " ", count: 256)
        var next: UInt32 = 256
        for b in 0 ..< 256 {
            if (33 ... 126).contains(b) || (161 ... 172).contains(b) || (174 ... 255).contains(b) {
                out[b] = Character(Unicode.Scalar(UInt8(b)))
            } else {
                out[b] = Character(Unicode.Scalar(next)!)
                next += 1
            }
        }
        return out
    }
}
