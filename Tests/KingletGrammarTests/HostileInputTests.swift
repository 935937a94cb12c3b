import Foundation
import Testing
@testable import KingletGrammar

/// Mutated grammars, schemas and byte streams: every outcome is a value or a typed error, never a
/// crash or a hang.
@Suite struct HostileInputTests {
    static func mutate(_ text: String, _ rng: inout SplitMix) -> String {
        var s = Array(text.unicodeScalars)
        let pieces: [Unicode.Scalar] = ["(", ")", "[", "]", "\"", "\\", "|", "*", "+", "?", "{", "}", ",", "-", "^", ".", "#", "\n", "x", "0", "9", ":", "=", "é", "\u{0}"]
        for _ in 0 ..< 1 + Int(rng.next() % 4) {
            guard !s.isEmpty else { break }
            let at = Int(rng.next() % UInt64(s.count))
            switch rng.next() % 3 {
            case 0: s.remove(at: at)
            case 1: s.insert(pieces[Int(rng.next() % UInt64(pieces.count))], at: at)
            default: s[at] = pieces[Int(rng.next() % UInt64(pieces.count))]
            }
        }
        return String(String.UnicodeScalarView(s))
    }

    @Test func mutatedGrammarsParseOrThrowTyped() throws {
        var rng = SplitMix(seed: 7)
        let sources = try ["json.gbnf", "c.gbnf", "chess.gbnf", "english.gbnf"].map { try GrammarTestData.gbnf($0) }
        var parsed = 0, refused = 0
        for i in 0 ..< 400 {
            let text = Self.mutate(sources[i % sources.count], &rng)
            do {
                let g = try Grammar(gbnf: text)
                parsed += 1
                // Feed random bytes: each is accepted or rejected with a typed error.
                let m = try GrammarMatcher(grammar: g, stackLimit: 256)
                for _ in 0 ..< 64 { _ = try? m.accept(byte: UInt8(truncatingIfNeeded: rng.next())) }
            } catch {
                refused += 1
            }
        }
        #expect(parsed > 0 && refused > 0)
    }

    @Test func mutatedSchemasConvertOrThrowTyped() throws {
        var rng = SplitMix(seed: 11)
        let url = GrammarTestData.grammars.deletingLastPathComponent().appendingPathComponent("schemas/person.json")
        let source = try String(contentsOf: url, encoding: .utf8)
        var converted = 0, refused = 0
        for _ in 0 ..< 300 {
            do {
                _ = try Grammar(jsonSchema: Self.mutate(source, &rng))
                converted += 1
            } catch {
                refused += 1
            }
        }
        #expect(converted + refused == 300 && refused > 0)
    }

    @Test func deeplyNestedInputsAreRefused() {
        let deepJSON = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        #expect(grammarError { _ = try JSONSchemaConverter.gbnf(schema: deepJSON) } != nil)
        let deepRegex = #"{"type": "string", "pattern": "^"# + String(repeating: "(", count: 500) + "a" + String(repeating: ")", count: 500) + #"$"}"#
        #expect(grammarError { _ = try Grammar(jsonSchema: deepRegex) }.map { if case .unsupportedSchema(let k, _, _) = $0 { k == "pattern" } else { false } } == true)
        let refCycle = ##"{"$ref": "#/$defs/a", "$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}}"##
        #expect(grammarError { _ = try Grammar(jsonSchema: refCycle) } != nil)
    }

    @Test func hostileTokensNeverCrashTheMask() throws {
        // Tokens of invalid UTF-8, lone continuation bytes, and long runs.
        var vocab: [[UInt8]] = (0 ... 255).map { [UInt8($0)] }
        vocab += [[0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80, 0x80], Array(repeating: 0x61, count: 300)]
        let trie = TokenTrie(vocabulary: vocab, endOfGeneration: [])
        let masker = TokenMasker(grammar: Grammar.json, trie: trie)
        let m = try GrammarMatcher(masker: masker)
        var mask: [UInt64] = []
        try m.accept(bytes: Array("\"".utf8))
        m.mask(into: &mask)
        for bad in 256 ..< 260 { #expect(mask[bad >> 6] >> UInt64(bad & 63) & 1 == 0) }   // overlong, surrogate, > U+10FFFF, stray
        #expect(mask[260 >> 6] >> UInt64(260 & 63) & 1 == 1)                             // 300 × "a" inside a string
        #expect(grammarError { try m.accept(token: 9999) } == .invalidToken(9999))
    }
}
