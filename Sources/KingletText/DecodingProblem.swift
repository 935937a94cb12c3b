import Foundation

/// A `Decodable` value that could not be read from JSON, said for a person: where (a JSON path,
/// `messages[2].content`) and what was wrong there. The one way Kinglet words a `DecodingError` —
/// a request body's 400, a distillation record, a run's saved figures, a routing policy file.
extension DecodingError {
    /// Where the problem is, as a JSON path (`messages[2].content`); empty for the whole text.
    public var jsonPath: String {
        switch self {
        case .keyNotFound(let key, let c): return Self.jsonPath(c.codingPath + [key])
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): return Self.jsonPath(c.codingPath)
        @unknown default: return ""
        }
    }

    /// Whether the text is not JSON at all (as opposed to JSON of the wrong shape).
    public var isMalformedJSON: Bool {
        if case .dataCorrupted(let c) = self { return c.codingPath.isEmpty }
        return false
    }

    /// The problem in a phrase, lower-case and without a final period: "missing required field
    /// 'model'", "wrong type for 'messages[0].role': expected a string", "'n' is null; expected an
    /// integer", "invalid value for 'x': …", "not valid JSON: …".
    public var problem: String {
        switch self {
        case .dataCorrupted(let c) where c.codingPath.isEmpty:
            return "not valid JSON: \(c.underlyingError?.localizedDescription ?? c.debugDescription)"
        case .dataCorrupted(let c):
            return "invalid value for '\(jsonPath)': \(c.debugDescription)"
        case .typeMismatch(let type, _):
            return "wrong type for '\(jsonPath)': expected \(Self.jsonName(type))"
        case .valueNotFound(let type, _):
            return "'\(jsonPath)' is null; expected \(Self.jsonName(type))"
        case .keyNotFound:
            return "missing required field '\(jsonPath)'"
        @unknown default:
            return "\(self)"
        }
    }

    /// `isMalformedJSON`, checked against the text that was decoded: Foundation's decoder on Linux
    /// reports a number its field cannot hold (`1.5` or `300` for a `UInt8`) as text that is not
    /// JSON, with no path; only text that does not parse is malformed.
    public func isMalformedJSON(decoding text: [UInt8]) -> Bool {
        isMalformedJSON && (try? JSONParser.parse(bytes: text)) == nil
    }

    /// `problem`, knowing the text that was decoded: for valid JSON that Foundation called
    /// malformed (above), what is really wrong.
    public func problem(decoding text: [UInt8]) -> String {
        if isMalformedJSON, !isMalformedJSON(decoding: text) {
            return "a number does not fit its field (a fraction where an integer belongs, or a value out of its range)"
        }
        return problem
    }

    /// `problem` for a decoding error (`problem(decoding:)` when the text is given); any other
    /// error's own description.
    public static func describe(_ error: any Error, decoding text: [UInt8]? = nil) -> String {
        guard let e = error as? DecodingError else { return error.localizedDescription }
        return text.map { e.problem(decoding: $0) } ?? e.problem
    }

    /// Coding keys as a JSON path: `messages[2].content`.
    public static func jsonPath(_ keys: [any CodingKey]) -> String {
        var s = ""
        for k in keys {
            if let i = k.intValue { s += "[\(i)]" } else { s += s.isEmpty ? k.stringValue : ".\(k.stringValue)" }
        }
        return s
    }

    /// What a Swift type the decoder expected is called in JSON: "a string", "an integer", ….
    static func jsonName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "a boolean"
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt64.Type, is UInt32.Type, is UInt8.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "an object (\(name))"
        }
    }
}
