import Foundation
import Hummingbird
import NIOCore

/// Turns every error into OpenAI's JSON error body: `APIError`s as they are, Hummingbird's own
/// (unknown route, oversized body) by their status, anything else as a 500 that names it.
struct OpenAIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let maxBody: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return try Self.apiError(error, request: request, maxBody: maxBody).response(from: request, context: context)
        }
    }

    static func apiError(_ error: any Error, request: Request, maxBody: Int) -> APIError {
        switch error {
        case let e as APIError:
            return e
        case is NIOTooManyBytesError:
            return .bodyTooLarge(limit: maxBody)
        case let e as HTTPError:
            switch e.status {
            case .notFound: return .routeNotFound(request.method.rawValue, request.uri.path)
            case .contentTooLarge: return .bodyTooLarge(limit: maxBody)
            case .methodNotAllowed:
                return APIError(status: .methodNotAllowed, message: "\(request.method.rawValue) is not allowed on \(request.uri.path).",
                                type: "invalid_request_error", code: "method_not_allowed")
            default:
                return APIError(status: e.status, message: e.body ?? e.status.reasonPhrase,
                                type: e.status.code < 500 ? "invalid_request_error" : "server_error")
            }
        default:
            return .internalError("Unexpected server error: \(error)")
        }
    }
}

/// Counts answered requests by route and status for `/metrics` (unknown paths under one label).
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics
    static var routes: Set<String> { ["/health", "/metrics", "/v1/models", "/v1/chat/completions", "/v1/completions"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        let route = Self.routes.contains(path) ? path : "other"
        do {
            let response = try await next(request, context)
            metrics.countRequest(route: route, status: response.status.code)
            return response
        } catch {
            metrics.countRequest(route: route, status: 500)
            throw error
        }
    }
}
