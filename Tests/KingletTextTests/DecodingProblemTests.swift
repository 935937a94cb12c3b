import Foundation
import KingletText
import Testing

/// `DecodingError` in words: the JSON path of the problem and a phrase for each kind of failure.
@Suite struct DecodingProblemTests {
    struct Message: Decodable { var role: String; var content: String? }
    struct Body: Decodable { var model: String; var n: Int; var temperature: Double?; var messages: [Message] }

    func failure(_ json: String) -> DecodingError? {
        do {
            _ = try JSONDecoder().decode(Body.self, from: Data(json.utf8))
            return nil
        } catch {
            return error as? DecodingError
        }
    }

    @Test func eachKindNamesItsPathAndProblem() throws {
        let cases: [(json: String, path: String, problem: String)] = [
            (#"{"n": 1, "messages": []}"#, "model", "missing required field 'model'"),
            (#"{"model": "m", "n": 1, "messages": [{"role": "user"}, {"content": "x"}]}"#, "messages[1].role", "missing required field 'messages[1].role'"),
            (#"{"model": 3, "n": 1, "messages": []}"#, "model", "wrong type for 'model': expected a string"),
            (#"{"model": "m", "n": "2", "messages": []}"#, "n", "wrong type for 'n': expected an integer"),
            (#"{"model": "m", "n": 1, "messages": {}}"#, "messages", "wrong type for 'messages': expected an array"),
            (#"{"model": "m", "n": null, "messages": []}"#, "n", "'n' is null; expected an integer"),
            (#"{"model": "m", "n": 1, "temperature": "hot", "messages": []}"#, "temperature", "wrong type for 'temperature': expected a number"),
            (#"{"model": "m", "n": 1, "messages": [{"role": true}]}"#, "messages[0].role", "wrong type for 'messages[0].role': expected a string"),
        ]
        for c in cases {
            let e = try #require(failure(c.json), "\(c.json) decoded")
            #expect(e.jsonPath == c.path, "\(c.json)")
            #expect(e.problem == c.problem, "\(c.json): \(e.problem)")
            #expect(!e.isMalformedJSON)
            #expect(DecodingError.describe(e) == c.problem)
        }
    }

    @Test func textThatIsNotJSONIsSaidSo() throws {
        let e = try #require(failure(#"{"model": "m", "#))
        #expect(e.isMalformedJSON)
        #expect(e.jsonPath == "")
        #expect(e.problem.hasPrefix("not valid JSON: ") && e.problem.count > "not valid JSON: ".count, "\(e.problem)")
    }

    @Test func aValueItsTypeRefusesIsAnInvalidValue() throws {
        struct Level: Decodable {
            var level: Int
            enum CodingKeys: String, CodingKey { case level }
            init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: CodingKeys.self)
                level = try c.decode(Int.self, forKey: .level)
                guard (1 ... 3).contains(level) else {
                    throw DecodingError.dataCorruptedError(forKey: .level, in: c, debugDescription: "\(level) is not 1, 2 or 3")
                }
            }
        }
        struct Levels: Decodable { var items: [Level] }
        do {
            _ = try JSONDecoder().decode(Levels.self, from: Data(#"{"items": [{"level": 2}, {"level": 7}]}"#.utf8))
            Issue.record("level 7 decoded")
        } catch let e as DecodingError {
            #expect(!e.isMalformedJSON)
            #expect(e.jsonPath == "items[1].level")
            #expect(e.problem == "invalid value for 'items[1].level': 7 is not 1, 2 or 3")
        }
    }

    /// Foundation's decoder says "not valid JSON" for a number its field cannot hold; given the
    /// text, the problem says what it is.
    @Test func aNumberThatDoesNotFitIsNotCalledMalformedJSON() throws {
        for json in [#"{"model": "m", "n": 1.5, "messages": []}"#, #"{"model": "m", "n": 1e30, "messages": []}"#] {
            let e = try #require(failure(json))
            #expect(!e.isMalformedJSON(decoding: Array(json.utf8)), "valid JSON is never called malformed")
            if e.isMalformedJSON {  // Foundation on Linux: no path, "not valid JSON"
                #expect(e.problem(decoding: Array(json.utf8)) == "a number does not fit its field (a fraction where an integer belongs, or a value out of its range)")
            } else {  // a decoder that names the field keeps its own words
                #expect(e.problem(decoding: Array(json.utf8)) == e.problem)
            }
        }
        let broken = #"{"model": "m", "n": 1,"#
        let e = try #require(failure(broken))
        #expect(e.isMalformedJSON(decoding: Array(broken.utf8)))
        #expect(e.problem(decoding: Array(broken.utf8)) == e.problem && e.problem.hasPrefix("not valid JSON"))
        #expect(DecodingError.describe(e, decoding: Array(broken.utf8)) == e.problem)
    }

    @Test func otherErrorsKeepTheirOwnDescription() {
        struct Custom: Error, LocalizedError { var errorDescription: String? { "a custom reason" } }
        #expect(DecodingError.describe(Custom()) == "a custom reason")
    }

    @Test func codingKeysAsAJSONPath() {
        struct K: CodingKey {
            var stringValue: String, intValue: Int?
            init(_ s: String) { stringValue = s; intValue = nil }
            init(_ i: Int) { stringValue = "Index \(i)"; intValue = i }
            init?(stringValue: String) { self.init(stringValue) }
            init?(intValue: Int) { self.init(intValue) }
        }
        #expect(DecodingError.jsonPath([]) == "")
        #expect(DecodingError.jsonPath([K("messages"), K(2), K("content")]) == "messages[2].content")
        #expect(DecodingError.jsonPath([K(0), K("a")]) == "[0].a")
    }
}
