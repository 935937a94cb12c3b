import Foundation

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
            throw describe(e)
        } catch {
            throw .malformedJSON("\(error)")
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        var s = ""
        for k in keys {
            if let i = k.intValue { s += "[\(i)]" } else { s += s.isEmpty ? k.stringValue : ".\(k.stringValue)" }
        }
        return s
    }

    private static func describe(_ e: DecodingError) -> APIError {
        switch e {
        case .dataCorrupted(let c) where c.codingPath.isEmpty:
            return .malformedJSON(c.underlyingError.map { "\($0.localizedDescription)" } ?? c.debugDescription)
        case .dataCorrupted(let c):
            return .invalid("Invalid value for '\(path(c.codingPath))': \(c.debugDescription)", param: path(c.codingPath))
        case .typeMismatch(let t, let c):
            return .invalid("Wrong type for '\(path(c.codingPath))': expected \(jsonName(t)).", param: path(c.codingPath))
        case .valueNotFound(let t, let c):
            return .invalid("'\(path(c.codingPath))' is null; expected \(jsonName(t)).", param: path(c.codingPath))
        case .keyNotFound(let k, let c):
            let p = path(c.codingPath + [k])
            return .invalid("Missing required field '\(p)'.", param: p)
        @unknown default:
            return .malformedJSON("\(e)")
        }
    }

    private static func jsonName(_ t: Any.Type) -> String {
        switch t {
        case is String.Type: return "a string"
        case is Bool.Type: return "a boolean"
        case is Int.Type, is Int64.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        default:
            let name = "\(t)"
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "an object (\(name))"
        }
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
