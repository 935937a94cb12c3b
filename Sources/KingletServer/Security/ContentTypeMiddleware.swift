import Foundation
import Hummingbird

/// JSON routes take JSON only: a POST whose `Content-Type` is missing or not `application/json`
/// gets 415. Web pages can send `text/plain`, form and untyped bodies to any address without a
/// CORS preflight ("simple requests"); JSON needs one, which the origin check answers.
struct ContentTypeMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.method == .post {
            let type = request.headers[.contentType]
            guard let type, Self.isJSON(type) else { throw APIError.unsupportedMediaType(type) }
        }
        return try await next(request, context)
    }

    /// `application/json`, with or without parameters (`; charset=utf-8`), any case.
    static func isJSON(_ contentType: String) -> Bool {
        let media = contentType.split(separator: ";", maxSplits: 1).first ?? ""
        return media.trimmingCharacters(in: .whitespaces).lowercased() == "application/json"
    }
}
