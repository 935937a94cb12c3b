import Foundation
import KingletArchitectures
import KingletRuntime
import Testing

/// Kinglet against llama.cpp's reference outputs for SmolLM2-135M-Instruct Q4_1
/// (Tests/Data/golden, produced by llama.cpp build 0c1e570).
@Suite(.serialized) struct GoldenGenerationTests {
    struct Reference: Decodable {
        let prompt_ids: [Int32]
        let generated_ids: [Int32]
        let top10_logits: [Position]
        struct Position: Decodable {
            let position: Int
            let top: [[Double]]
        }
    }

    /// Generated-token indices where llama.cpp's own top-two margin is under 0.1 (golden README):
    /// greedy decoding there is a numerics tie, so tokens are compared up to the first of them.
    static let nearTies: [Int: [Int]] = [0: [14], 1: [6, 10, 21], 2: [], 3: [2, 7], 4: [17], 5: []]

    static func reference(_ n: Int) throws -> Reference {
        let url = TestModels.golden.appendingPathComponent(String(format: "generate/%02d.reference.json", n))
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }

    static func engine() throws -> Engine { try TestModels.engine.get() }

    @Test(arguments: 0 ..< 6)
    func promptTokenizesLikeLlamaCpp(_ n: Int) throws {
        let engine = try Self.engine()
        let text = try String(contentsOf: TestModels.golden.appendingPathComponent(String(format: "generate/%02d.prompt", n)), encoding: .utf8)
        #expect(try engine.tokens(for: .raw(text)) == Self.reference(n).prompt_ids)
    }

    @Test(arguments: 0 ..< 6)
    func greedyContinuationMatchesUpToTheFirstNearTie(_ n: Int) throws {
        let engine = try Self.engine()
        let ref = try Self.reference(n)
        var params = GenerateParameters()
        params.sampling = .greedy
        params.maxTokens = ref.generated_ids.count
        var ids: [Int32] = []
        var text = ""
        try engine.run(ref.prompt_ids, parameters: params) { event in
            if case .token(let id, let piece) = event { if id >= 0 { ids.append(id) }; text += piece }
        }
        let mustMatch = Self.nearTies[n]!.first ?? ref.generated_ids.count
        let agree = zip(ids, ref.generated_ids).prefix { $0 == $1 }.count
        #expect(agree >= mustMatch, "prompt \(n): agrees for \(agree) tokens, must for \(mustMatch); got \(ids), want \(ref.generated_ids)")
        if agree == ref.generated_ids.count {
            let golden = try String(contentsOf: TestModels.golden.appendingPathComponent(String(format: "generate/%02d.greedy32", n)), encoding: .utf8)
            #expect(text == golden)
        }
    }

    /// Teacher-forced: the whole prompt + llama.cpp's continuation in one batch; at every position
    /// the argmax agrees wherever llama.cpp's top-two margin is clear, and the logits of llama.cpp's
    /// top 10 stay within the 8-bit activation quantization noise (measured: llama.cpp itself is
    /// up to 0.64 away from an exact float64 forward pass on these prompts).
    @Test(arguments: 0 ..< 6)
    func teacherForcedLogitsAgree(_ n: Int) throws {
        let engine = try Self.engine()
        let ref = try Self.reference(n)
        let state = engine.makeState()
        let V = engine.config.vocabularySize
        let logits = try engine.model.forward(ref.prompt_ids + ref.generated_ids, state: state, logits: .all)
        var worst: Float = 0
        for p in ref.top10_logits {
            let row = logits[(p.position * V) ..< ((p.position + 1) * V)]
            for pair in p.top {
                worst = max(worst, abs(row[p.position * V + Int(pair[0])] - Float(pair[1])))
            }
            let margin = p.top[0][1] - p.top[1][1]
            let mine = row.indices.max { row[$0] < row[$1] }! - p.position * V
            if margin >= 0.5 {
                #expect(mine == Int(p.top[0][0]), "prompt \(n) position \(p.position): argmax \(mine), llama.cpp \(p.top[0][0]) (margin \(margin))")
            }
        }
        print("golden \(n): max |Δlogit| over llama.cpp's top 10 = \(worst)")
        #expect(worst < 1.0, "prompt \(n): logits drift \(worst) from llama.cpp")
    }
}
