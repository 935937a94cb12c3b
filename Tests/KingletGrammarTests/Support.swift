import Foundation
@testable import KingletGrammar

/// Whether `text` is a complete sentence of `grammar`.
func matches(_ grammar: Grammar, _ text: String) -> Bool {
    matches(grammar, Array(text.utf8))
}

func matches(_ grammar: Grammar, _ bytes: [UInt8]) -> Bool {
    guard let m = try? GrammarMatcher(grammar: grammar) else { return false }
    do { try m.accept(bytes: bytes) } catch { return false }
    return m.isAccepting
}

/// Whether `text` is a prefix of some sentence of `grammar`.
func isPrefix(_ grammar: Grammar, _ text: String) -> Bool {
    guard let m = try? GrammarMatcher(grammar: grammar) else { return false }
    return m.canAccept(bytes: Array(text.utf8))
}

/// The error `body` throws, if it is a GrammarError.
func grammarError(_ body: () throws -> Void) -> GrammarError? {
    do { try body() } catch let error as GrammarError { return error } catch { return nil }
    return nil
}

enum GrammarTestData {
    static var grammars: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // KingletGrammarTests
            .deletingLastPathComponent()  // Tests
            .appendingPathComponent("Data/grammars")
    }

    static func gbnf(_ name: String) throws -> String {
        try String(contentsOf: grammars.appendingPathComponent(name), encoding: .utf8)
    }
}

/// A small deterministic generator (SplitMix64) for reproducible random walks.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
