import Foundation
import Hummingbird

/// Which web pages may call the API (CSRF): a request that carries an `Origin` header comes from
/// a browser page, and is answered only when that origin is allowed (`--cors-origin`; `*` for
/// any). Requests without `Origin` (curl, SDKs, other programs) are not affected.
struct OriginPolicy: Sendable, Equatable {
    /// Allowed origins, normalized; nil: any.
    let origins: Set<String>?

    init(_ allowed: [String]) {
        origins = allowed.contains("*") ? nil : Set(allowed.map(Self.normalize))
    }

    func allows(_ origin: String) -> Bool {
        origins?.contains(Self.normalize(origin)) ?? true
    }

    /// `HTTPS://App.example/` → `https://app.example` (scheme and host are case-insensitive).
    static func normalize(_ origin: String) -> String {
        var s = origin.trimmingCharacters(in: .whitespaces).lowercased()
        while s.hasSuffix("/") { s.removeLast() }
        return s
    }
}

/// Refuses requests from foreign origins with 403, answers CORS preflights (`OPTIONS` with
/// `Access-Control-Request-Method`) for allowed ones, and adds the CORS headers to their answers.
struct CORSMiddleware<Context: RequestContext>: RouterMiddleware {
    let policy: OriginPolicy
    static var methods: String { "GET, POST, OPTIONS" }
    static var defaultHeaders: String { "Authorization, Content-Type" }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin] else { return try await next(request, context) }
        guard policy.allows(origin) else {
            return try APIError.originNotAllowed(origin).response(from: request, context: context)
        }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            var headers: HTTPFields = [
                .accessControlAllowMethods: Self.methods,
                .accessControlAllowHeaders: request.headers[.accessControlRequestHeaders] ?? Self.defaultHeaders,
                .accessControlMaxAge: "600",
            ]
            // Chrome's Private Network Access: a public page asking for a local server.
            if request.headers[Self.requestPrivateNetwork] == "true" { headers[Self.allowPrivateNetwork] = "true" }
            var response = Response(status: .noContent, headers: headers)
            Self.addOriginHeaders(&response, origin: origin)
            return response
        }
        var response = try await next(request, context)
        Self.addOriginHeaders(&response, origin: origin)
        return response
    }

    static func addOriginHeaders(_ response: inout Response, origin: String) {
        response.headers[.accessControlAllowOrigin] = origin
        response.headers[.vary] = "Origin"
    }

    static var requestPrivateNetwork: HTTPFields.Element.Name { HTTPFields.Element.Name("Access-Control-Request-Private-Network")! }
    static var allowPrivateNetwork: HTTPFields.Element.Name { HTTPFields.Element.Name("Access-Control-Allow-Private-Network")! }
}
