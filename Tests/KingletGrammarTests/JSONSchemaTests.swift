import Foundation
import Testing
@testable import KingletGrammar

/// Schemas → grammars: the grammar accepts the strings labelled valid in Tests/Data/schemas/cases.json
/// and rejects those labelled invalid (scripts/check-schema-cases.py checks the labels with Python
/// `jsonschema`).
@Suite struct JSONSchemaTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var schema: JSONValue
        var valid: [String]
        var invalid: [String]
        var description: String { name }
    }

    static func cases() throws -> [Case] {
        let url = GrammarTestData.grammars.deletingLastPathComponent().appendingPathComponent("schemas/cases.json")
        guard case .array(let list) = try JSONParser.parse(try String(contentsOf: url, encoding: .utf8)) else { return [] }
        return list.map { c in
            func strings(_ k: String) -> [String] {
                guard case .array(let a)? = c[k] else { return [] }
                return a.compactMap { if case .string(let s) = $0 { s } else { nil } }
            }
            var name = ""
            if case .string(let n)? = c["name"] { name = n }
            return Case(name: name, schema: c["schema"] ?? .null, valid: strings("valid"), invalid: strings("invalid"))
        }
    }

    @Test(arguments: try cases())
    func grammarDecidesLabelledStrings(_ c: Case) throws {
        let gbnf = try JSONSchemaConverter.gbnf(schema: c.schema)
        let g = try Grammar(gbnf: gbnf)
        for s in c.valid { #expect(matches(g, s), "\(c.name) should accept \(s)") }
        for s in c.invalid { #expect(!matches(g, s), "\(c.name) should reject \(s)") }
        #expect(c.valid.count + c.invalid.count >= 3)
    }

    @Test func genericJSON() {
        for s in [#"{"a": [1, -2.5e+3, true, false, null, "x\u00e9\n"], "b": {}}"#, "[]", "0", #""\ud7ff""#] {
            #expect(matches(Grammar.json, s), "\(s)")
        }
        for s in ["{,}", "[1,]", "01", "\"\\ud800\"", "\"\u{01}\"", "nul", "{\"a\" 1}"] { #expect(!matches(Grammar.json, s), "\(s)") }
        #expect(matches(Grammar.jsonObject, "{\"k\": [1]}"))
        #expect(!matches(Grammar.jsonObject, "[1]"))
    }

    @Test func unsupportedKeywordsNameKeywordAndPath() {
        let cases: [(String, String, String)] = [
            (#"{"type": "object", "properties": {"a": {"type": "number", "multipleOf": 2}}}"#, "multipleOf", "$.properties.a.multipleOf"),
            (#"{"oneOf": [{"type": "string"}]}"#, "oneOf", "$.oneOf"),
            (#"{"type": "array", "items": {"type": "string", "format": "email"}}"#, "format", "$.items.format"),
            (#"{"type": "number", "minimum": 1.5}"#, "minimum", "$.minimum"),
            (#"{"type": "array", "uniqueItems": true}"#, "uniqueItems", "$.uniqueItems"),
            (#"{"type": "object", "properties": {"a": {}}, "additionalProperties": true}"#, "additionalProperties", "$.additionalProperties"),
            (#"{"type": "string", "pattern": "(a)\\1"}"#, "pattern", "$.pattern"),
            (#"{"type": "string", "pattern": "(?=a)"}"#, "pattern", "$.pattern"),
            (#"{"type": "string", "pattern": "\\bword"}"#, "pattern", "$.pattern"),
            (#"{"$ref": "https://example.com/s.json"}"#, "$ref", "$.$ref"),
            (##"{"$defs": {"x": {"type": "string", "contentEncoding": "base64"}}, "$ref": "#/$defs/x"}"##, "contentEncoding", "$.$defs.x.contentEncoding"),
        ]
        for (schema, keyword, path) in cases {
            let e = grammarError { _ = try Grammar(jsonSchema: schema) }
            guard case .unsupportedSchema(let k, let p, _)? = e else {
                Issue.record("\(schema): expected unsupportedSchema, got \(String(describing: e))")
                continue
            }
            #expect(k == keyword, "\(schema)")
            #expect(p == path, "\(schema)")
        }
        #expect(grammarError { _ = try Grammar(jsonSchema: "{\"type\": ") }.map { if case .invalidSchema = $0 { true } else { false } } == true)
    }

    @Test func recursionThroughRootReference() throws {
        let g = try Grammar(jsonSchema: ##"{"type": "array", "items": {"anyOf": [{"type": "integer"}, {"$ref": "#"}]}, "maxItems": 3}"##)
        #expect(matches(g, "[1, [2, [3, []]], 4]"))
        #expect(!matches(g, "[1, [2, [3, [], 5, 6]]]"))
        #expect(!matches(g, "[\"a\"]"))
    }

    @Test func integerRangesAreExact() throws {
        let ranges: [(Int?, Int?)] = [(0, 9), (1, 10), (-15, 120), (7, 7), (-1200, -3), (99, 1001), (nil, -5), (13, nil), (nil, nil), (-9, 0), (100, 199)]
        for (lo, hi) in ranges {
            let g = try Grammar(gbnf: "root ::= " + (lo == nil && hi == nil ? "\"-\"? ( \"0\" | [1-9] [0-9]* )" : IntegerRange.expression(low: lo, high: hi)))
            for v in -1300 ... 1300 {
                let inRange = (lo.map { v >= $0 } ?? true) && (hi.map { v <= $0 } ?? true)
                if matches(g, String(v)) != inRange { Issue.record("range \(String(describing: lo))...\(String(describing: hi)): \(v)"); break }
            }
            #expect(!matches(g, "007"))
        }
    }

    @Test func propertyNamesAreEscaped() throws {
        let g = try Grammar(jsonSchema: #"{"type": "object", "properties": {"a\"b\\c": {"type": "null"}, "ünï": {"type": "boolean"}}, "required": ["a\"b\\c"], "additionalProperties": false}"#)
        #expect(matches(g, #"{"a\"b\\c": null, "ünï": true}"#))
        #expect(!matches(g, #"{"ab": null}"#))
    }
}
