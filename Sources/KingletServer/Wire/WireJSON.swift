import Foundation
import KingletText

/// JSON in and out of the wire types, with decoding failures turned into 400s that name the field.
enum WireJSON {
    static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        // Every wire type is plain data; encoding cannot fail.
        return (try? Array(encoder.encode(value))) ?? Array(#"{"error":{"message":"encoding failed","type":"server_error","param":null,"code":null}}"#.utf8)
    }

    /// Decodes a request body. Broken JSON, a wrong type or a missing field is an `APIError`
    /// (400) whose `param` is the field's path (`messages[0].content`).
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws(APIError) -> T {
        guard !bytes.isEmpty else { throw .malformedJSON("the body is empty") }
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let e as APIError {
            throw e
        } catch let e as DecodingError {
            throw describe(e, bytes)
        } catch {
            throw .malformedJSON("\(error)")
        }
    }

    /// A decoding failure as a 400: not JSON at all, or a field named by its path with
    /// `DecodingError.problem` as a sentence ("Missing required field 'model'.").
    private static func describe(_ e: DecodingError, _ bytes: [UInt8]) -> APIError {
        if case .dataCorrupted(let c) = e, e.isMalformedJSON(decoding: bytes) {
            return .malformedJSON(c.underlyingError.map { "\($0.localizedDescription)" } ?? c.debugDescription)
        }
        let phrase = e.problem(decoding: bytes)
        let path = e.jsonPath
        return .invalid(phrase.prefix(1).uppercased() + phrase.dropFirst() + (phrase.hasSuffix(".") ? "" : "."), param: path.isEmpty ? nil : path)
    }
}

/// A `String` or an array of strings (OpenAI's `stop`, `prompt`).
enum StringOrList: Decodable, Sendable, Equatable {
    case one(String)
    case many([String])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) { self = .one(s); return }
        if let a = try? c.decode([String].self) { self = .many(a); return }
        throw DecodingError.typeMismatch(String.self, .init(codingPath: decoder.codingPath, debugDescription: "a string or an array of strings"))
    }

    var values: [String] {
        switch self {
        case .one(let s): return [s]
        case .many(let a): return a
        }
    }
}
