import Foundation
@testable import KingletDistill

/// Helpers shared by the score tests: temporary directories and synthetic records.
enum ScoreFixtures {
    static func temporaryDirectory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kscr-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A sequence with `prompt` prompt tokens and `completion` completion tokens, ids from a seed.
    static func sequence(_ n: Int, prompt: Int = 3, completion: Int = 5, vocabularySize: Int = 100) -> ScoredSequence {
        let tokens = (0 ..< prompt + completion).map { Int32((n * 31 + $0 * 7) % vocabularySize) }
        return ScoredSequence(id: String(format: "%08x", n * 2654435761 & 0xFFFF_FFFF), tokens: tokens, promptLength: prompt)
    }

    /// A valid record for `s`: distinct ids per position, a normalised top-k + tail.
    static func record(for s: ScoredSequence, k: Int, vocabularySize: Int = 100) -> ScoreRecord {
        let P = s.scoredPositions.count
        var ids: [Int32] = [], lps: [Float] = [], tails: [Float] = []
        for p in 0 ..< P {
            var mass = 0.0
            for j in 0 ..< k {
                ids.append(Int32((p * 13 + j * 17 + s.tokens.count) % vocabularySize))
                let prob = 0.5 / Double(j + 1) / Double(k)
                mass += prob
                lps.append(Float(log(prob)))
            }
            tails.append(Float(log(1 - mass)))
        }
        return ScoreRecord(id: s.id, contentHash: s.contentHash, k: k, ids: ids, logprobs: lps, tailLogMass: tails)
    }
}
