import KingletText
import Testing

/// The one JSON parser: what it keeps (key order, number text), what it refuses (RFC 8259's
/// violations, deep nesting) and where it says the problem is.
@Suite struct JSONParserTests {
    private func error(_ text: String) -> JSONSyntaxError? {
        do { _ = try JSONParser.parse(text); return nil } catch { return error }
    }

    @Test func keepsKeyOrderAndNumberText() throws {
        let v = try JSONParser.parse(#" {"b": 1.0, "a": [1, -2e3, "x\u00e9\n"], "c": {"d": null, "e": true}} "#)
        guard case .object(let members) = v else { Issue.record("not an object: \(v)"); return }
        #expect(members.map(\.key) == ["b", "a", "c"])
        #expect(v["b"] == .number("1.0", 1))
        guard case .number(let text, _)? = v["b"] else { Issue.record("b is not a number"); return }
        #expect(text == "1.0")
        #expect(v["a"] == .array([.number("1", 1), .number("-2e3", -2000), .string("xé\n")]))
        #expect(v["c"]?["e"] == .bool(true) && v["c"]?["d"] == .null)
        #expect(v.compactText == #"{"b":1.0,"a":[1,-2e3,"xé\n"],"c":{"d":null,"e":true}}"#)
    }

    @Test func joinsSurrogatePairsAndTreatsLoneOnesAsAsked() throws {
        #expect(try JSONParser.parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(error(#""\ud83d x""#)?.message.hasPrefix("lone surrogate") == true)
        #expect(error(#""\ude00""#) != nil)
        #expect(try JSONParser.parse(#""\ud83d\u0041""#, loneSurrogates: .replace) == .string("\u{FFFD}A"))
        #expect(try JSONParser.parse(#""\ude00""#, loneSurrogates: .replace) == .string("\u{FFFD}"))
    }

    @Test func refusesWhatRFC8259Refuses() {
        for bad in ["", "01", "-", "1.", "1e", ".5", "+1", "[1,]", "{\"a\" 1}", "{a: 1}", "[1 2]", "\"a\tb\"", "\"\\x\"",
                    "tru", "nul", "[", "{\"a\":", "\"abc", "1 2", "NaN", "'a'"] {
            #expect(error(bad) != nil, "accepted \(bad.debugDescription)")
        }
    }

    @Test func saysWhereTheProblemIs() {
        #expect(error("[1, 2,, 3]") == JSONSyntaxError("invalid value", offset: 6))
        #expect(error(#"{"a": 1} x"#) == JSONSyntaxError("unexpected data after the JSON value", offset: 9))
        #expect(error("[1, 01]") == JSONSyntaxError("a number with a leading zero", offset: 6))
        #expect(error("[1, 2") == JSONSyntaxError("unterminated array", offset: 5))
    }

    @Test func refusesNestingPastTheLimitAndBadUTF8() {
        let limit = JSONParser.maxDepth
        #expect((try? JSONParser.parse(String(repeating: "[", count: limit) + String(repeating: "]", count: limit))) != nil)
        let deep = String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)
        #expect(error(deep)?.message == "JSON nests deeper than \(limit) levels")
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(bytes: [0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test func skipsAByteOrderMark() throws {
        #expect(try JSONParser.parse(bytes: [0xEF, 0xBB, 0xBF] + Array("[true]".utf8)) == .array([.bool(true)]))
    }

    @Test func hexDigits() {
        let all = (0 ..< 128).compactMap { c in HexDigit.value(UInt32(c)).map { (Character(Unicode.Scalar(UInt8(c))), $0) } }
        #expect(String(all.map(\.0)) == "0123456789ABCDEFabcdef")
        #expect(all.map(\.1) == Array(0 ... 15) + Array(10 ... 15))
    }
}
