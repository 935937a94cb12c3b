import Foundation
import Testing
@testable import KingletDistill

/// A remote reply read into the teacher's ids and scores (`RemoteReply`), with SmolLM2's tokenizer:
/// the sampled ids when the server names them, scores only then.
@Suite struct RemoteReplyTests {
    typealias Position = ChatResponseBody.Choice.Logprobs.Position

    static func tokenizer() throws -> TeacherTokenizer { try TeacherTokenizer(engine: try TeacherTestSupport.engine.get()) }

    /// One token's id; the test needs each piece to be one token.
    static func id(_ text: String, _ t: TeacherTokenizer) throws -> Int32 {
        let ids = t.tokenizer.encode(text, addSpecial: false, parseSpecial: false)
        try #require(ids.count == 1, "'\(text)' is one token")
        return ids[0]
    }

    static func position(_ token: String?, _ alternatives: [(String, Double)] = []) -> Position {
        Position(token: token, topLogprobs: alternatives.map { TeacherLogprob(token: $0.0, logprob: $0.1) })
    }

    @Test func keepsTheSampledSplitAndItsScores() throws {
        let t = try Self.tokenizer()
        let hello = try Self.id("Hello", t), the = try Self.id(" the", t), re = try Self.id("re", t)
        _ = try Self.id(" there", t)
        let end = try #require(t.endToken)
        #expect(t.completionTokens("Hello there", stopped: true) != [hello, the, re, end].map(Int.init),
                "the tokenizer writes ' there' as one token; the server sampled ' the' + 're'")
        let positions = [
            Self.position("Hello", [("Hello", -0.1), ("Hi", -2.5)]),
            Self.position(" the", [(" the", -0.7), ("Ġthere", -0.9)]),   // decoded text or the stored piece
            Self.position("re", [("re", -0.2)]),
            Self.position("<|im_end|>", [("<|im_end|>", -0.05), ("!", -3)]),
        ]
        let reply = RemoteReply(text: "Hello there", stopped: true, positions: positions, topK: 2, tokenizer: t)
        #expect(reply.tokens == [hello, the, re, end].map(Int.init))
        let scores = try #require(reply.scores)
        #expect(scores.k == 2 && scores.positionCount == 4)
        #expect(Array(scores.ids[2 ..< 4]) == [the, try Self.id(" there", t)])
        #expect(abs(Double(scores.logprobs[2]) + 0.7) < 1e-6 && abs(Double(scores.logprobs[3]) + 0.9) < 1e-6)
        #expect(scores.ids[4] == re && scores.ids[5] == ScoreRecord.paddingID)
        #expect(abs(exp(Double(scores.tailLogMass[1])) - (1 - exp(-0.7) - exp(-0.9))) < 1e-6)
    }

    @Test func anUnlistedEndTokenGetsAnEmptyRow() throws {
        let t = try Self.tokenizer()
        let end = try #require(t.endToken)
        let reply = RemoteReply(text: "Hello", stopped: true, positions: [Self.position("Hello", [("Hello", -0.1)])], topK: 3, tokenizer: t)
        #expect(reply.tokens == [Int(try Self.id("Hello", t)), Int(end)])
        let scores = try #require(reply.scores)
        #expect(scores.positionCount == 2)
        #expect(Array(scores.ids[3 ..< 6]) == Array(repeating: ScoreRecord.paddingID, count: 3))
        #expect(scores.tailLogMass[1] == 0, "all of the end position's mass in the tail")
        let cut = RemoteReply(text: "Hello", stopped: false, positions: [Self.position("Hello", [("Hello", -0.1)])], topK: 3, tokenizer: t)
        #expect(cut.tokens == [Int(try Self.id("Hello", t))] && cut.scores?.positionCount == 1, "a reply cut at the limit has no end token")
    }

    /// llama.cpp's server lists a stopped reply's end token with the text "" (and special tokens
    /// among the alternatives so too): the position is the end token, its list kept.
    @Test func anEndTokenNamedEmptyIsTheEndPosition() throws {
        let t = try Self.tokenizer()
        let end = try #require(t.endToken)
        let positions = [Self.position("4", [("4", -0.004), ("5", -5.7)]), Self.position("", [("", -0.49), ("\n", -1.95)])]
        let reply = RemoteReply(text: "4", stopped: true, positions: positions, topK: 2, tokenizer: t)
        #expect(reply.tokens == [Int(try Self.id("4", t)), Int(end)])
        let scores = try #require(reply.scores)
        #expect(scores.positionCount == 2)
        #expect(Array(scores.ids[2 ..< 4]) == [try Self.id("\n", t), ScoreRecord.paddingID], "the unnamed alternative goes to the tail")
        #expect(abs(exp(Double(scores.tailLogMass[1])) - (1 - exp(-1.95))) < 1e-6)
        let cut = RemoteReply(text: "4", stopped: false, positions: positions, topK: 2, tokenizer: t)
        #expect(cut.scores == nil && cut.tokens == t.completionTokens("4", stopped: false), "only a stopped reply ends on its end token")
    }

    @Test func withoutTheSampledIdsTheTextIsTokenizedAndNotScored() throws {
        let t = try Self.tokenizer()
        let canonical = t.completionTokens("Hello there", stopped: true)
        let cases: [(String, [Position])] = [
            ("no logprobs", []),
            ("a token not named", [Self.position("Hello", [("Hello", -0.1)]), Self.position(nil, [(" there", -0.1)])]),
            ("a token that is two of this tokenizer's", [Self.position("Hello there", [("Hello there", -0.1)])]),
            ("tokens that spell other text", [Self.position("Hello", []), Self.position(" the", [])]),
            ("an end token before the end", [Self.position("Hello", []), Self.position("<|im_end|>", []), Self.position(" there", [])]),
        ]
        for (what, positions) in cases {
            let reply = RemoteReply(text: "Hello there", stopped: true, positions: positions, topK: 2, tokenizer: t)
            #expect(reply.tokens == canonical, "\(what)")
            #expect(reply.scores == nil, "\(what): lists that cannot be placed are not kept")
        }
    }

    @Test func withoutTopLogprobsTheSampledIdsStillCount() throws {
        let t = try Self.tokenizer()
        let positions = [Self.position("Hello"), Self.position(" the"), Self.position("re")]
        for k in [nil, 0] as [Int?] {
            let reply = RemoteReply(text: "Hello there", stopped: false, positions: positions, topK: k, tokenizer: t)
            #expect(reply.tokens == [try Self.id("Hello", t), try Self.id(" the", t), try Self.id("re", t)].map(Int.init))
            #expect(reply.scores == nil)
        }
    }
}
