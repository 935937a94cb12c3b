import Foundation

/// A routed request's JSON body, held as an object so the local and upstream copies can differ:
/// without the `route` extension field, with `stream` set as each side needs, and with the
/// upstream's `model` when one was configured.
struct RoutedBody: @unchecked Sendable {
    private let object: [String: Any]
    /// The `route` field as sent (nil when absent).
    let route: Any?
    /// Whether the client asked for a stream.
    let stream: Bool
    /// Whether the client asked for a usage chunk at the end of its stream.
    let includeUsage: Bool

    init(_ bytes: [UInt8]) throws(APIError) {
        guard !bytes.isEmpty else { throw .malformedJSON("the body is empty") }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else {
            throw .malformedJSON("the body is not a JSON object")
        }
        route = object["route"]
        var copy = object
        copy["route"] = nil
        self.object = copy
        stream = object["stream"] as? Bool ?? false
        includeUsage = (object["stream_options"] as? [String: Any])?["include_usage"] as? Bool ?? false
    }

    /// The body for the local model, streamed or not.
    func local(stream: Bool) -> [UInt8] {
        var o = object
        o["stream"] = stream
        if !stream { o["stream_options"] = nil }
        return Self.encode(o)
    }

    /// The body for the upstream: the client's `stream`, and `model` replaced when `model` is set.
    func upstream(model: String?) -> [UInt8] {
        var o = object
        if let model { o["model"] = model }
        return Self.encode(o)
    }

    static func encode(_ object: [String: Any]) -> [UInt8] {
        (try? Array(JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes]))) ?? Array("{}".utf8)
    }
}
