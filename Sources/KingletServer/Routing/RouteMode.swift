import Foundation

/// What a request asks of the router: `"route"` in the body (an extension field) or the
/// `x-kinglet-route` header (the header wins). `auto` when neither is given.
enum RouteMode: String, Sendable, CaseIterable {
    /// Answer on this device whatever the score (private prompts).
    case localOnly = "local-only"
    /// Send upstream without trying locally (the local model answers if the upstream fails).
    case upstream
    /// Local first; upstream when the local answer scores below the threshold.
    case auto

    static let header = "x-kinglet-route"

    /// The mode from the header's and the body field's values.
    static func resolve(header: String?, body: Any?) throws(APIError) -> RouteMode {
        if let header {
            guard let mode = RouteMode(rawValue: header.trimmingCharacters(in: .whitespaces).lowercased()) else {
                throw .invalid("Header '\(Self.header)' is '\(header)'; expected local-only, upstream or auto.", param: nil)
            }
            return mode
        }
        guard let body, !(body is NSNull) else { return .auto }
        guard let s = body as? String, let mode = RouteMode(rawValue: s) else {
            throw .invalid("'route' must be \"local-only\", \"upstream\" or \"auto\".", param: "route")
        }
        return mode
    }
}
