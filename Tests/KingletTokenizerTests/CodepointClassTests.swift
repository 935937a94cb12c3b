import Foundation
import KingletTokenizer
import Testing

/// `\p{L}` and `\p{N}` must agree with llama.cpp's own table for every code point, including
/// those Swift's newer Unicode data assigns but llama.cpp's (15.1) does not.
@Suite("Code point classes")
struct CodepointClassTests {
    @Test("letters and numbers match llama.cpp's table for all 1,114,112 code points")
    func matchesLlamaTable() throws {
        let url = TestData.root.appendingPathComponent("tokenizer/llama-unicode-classes.txt")
        let runs: [(start: UInt32, cls: Character)] = try String(contentsOf: url, encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#") }
            .map { line in
                let parts = line.split(separator: " ")
                return (UInt32(parts[0], radix: 16)!, parts[1].first!)
            }
        #expect(runs.count > 1000)
        var mismatches: [UInt32] = []
        for (k, run) in runs.enumerated() {
            let end = k + 1 < runs.count ? runs[k + 1].start : 0x110000
            for v in run.start ..< end {
                guard let s = Unicode.Scalar(v) else { continue }  // surrogates
                let c = CodepointClass.of(s)
                let mine: Character = c.contains(.letter) ? "L" : c.contains(.number) ? "N" : "-"
                if mine != run.cls { mismatches.append(v) }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) differ, first: \(mismatches.prefix(10).map { String($0, radix: 16) })")
    }

    @Test("scalars newer than Unicode 15.1 are neither letters nor numbers")
    func newerScalars() {
        // U+1C89 CYRILLIC CAPITAL LETTER TJE was added in Unicode 16.0.
        let tje = Unicode.Scalar(0x1C89)!
        #expect(tje.properties.generalCategory == .uppercaseLetter)
        #expect(CodepointClass.of(tje) == .inRange)
        #expect(CodepointClass.of("Ж") == [.letter, .inRange])
    }
}
