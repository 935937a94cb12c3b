import Foundation
import Hummingbird

/// Every error the server answers with, in OpenAI's shape:
/// `{"error": {"message": ..., "type": ..., "param": ..., "code": ...}}` and the matching status.
///
/// Handlers throw it; `OpenAIErrorMiddleware` turns anything else (routing misses, oversized
/// bodies, unexpected failures) into one of these, so a client always gets this JSON.
public struct APIError: Error, Sendable, Equatable, HTTPResponseError {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// What went wrong and, where it helps, what to do instead.
    public var message: String
    /// OpenAI's error type: `invalid_request_error`, `authentication_error`, `server_error`, ...
    public var type: String
    /// The request field at fault (`messages[1].role`), when there is one.
    public var param: String?
    /// A stable machine-readable code (`model_not_found`, `context_length_exceeded`, ...).
    public var code: String?

    /// An error with every field given.
    public init(status: HTTPResponse.Status, message: String, type: String, param: String? = nil, code: String? = nil) {
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
    }

    /// 400: a field is missing, has the wrong type or an unsupported value.
    public static func invalid(_ message: String, param: String? = nil, code: String? = nil) -> APIError {
        APIError(status: .badRequest, message: message, type: "invalid_request_error", param: param, code: code)
    }

    /// 400: the body is not JSON.
    public static func malformedJSON(_ detail: String) -> APIError {
        invalid("The request body is not valid JSON (\(detail)). Send a JSON object with Content-Type: application/json.",
                code: "invalid_json")
    }

    /// 401: `--api-key` is set and the request's bearer token is missing or different.
    public static let unauthorized = APIError(
        status: .unauthorized,
        message: "Missing or incorrect API key. Send it as 'Authorization: Bearer KEY' (the key the server was started with).",
        type: "authentication_error", code: "invalid_api_key")

    /// 404: no such model on this server.
    public static func modelNotFound(_ name: String, served: String) -> APIError {
        APIError(status: .notFound, message: "The model '\(name)' does not exist on this server; it serves '\(served)' (see GET /v1/models).",
                 type: "invalid_request_error", param: "model", code: "model_not_found")
    }

    /// 404: no such route.
    public static func routeNotFound(_ method: String, _ path: String) -> APIError {
        APIError(status: .notFound, message: "No route \(method) \(path). Routes: POST /v1/chat/completions, POST /v1/completions, GET /v1/models, GET /health, GET /metrics.",
                 type: "invalid_request_error", code: "not_found")
    }

    /// 413: the body is larger than `--max-body`.
    public static func bodyTooLarge(limit: Int) -> APIError {
        APIError(status: .contentTooLarge, message: "The request body is larger than \(limit) bytes. Send less, or start the server with a larger --max-body.",
                 type: "invalid_request_error", code: "request_too_large")
    }

    /// 415: a JSON route got a body of another type (a web page's "simple" text/plain POST, curl's
    /// default form type).
    public static func unsupportedMediaType(_ got: String?) -> APIError {
        APIError(status: .unsupportedMediaType,
                 message: "This route takes a JSON body, sent with Content-Type: application/json (got \(got.map { "'\($0)'" } ?? "no Content-Type")). With curl: -H 'Content-Type: application/json'.",
                 type: "invalid_request_error", code: "unsupported_media_type")
    }

    /// 403: the `Host` header names a host this server does not answer to (DNS rebinding).
    public static func hostNotAllowed(_ host: String?) -> APIError {
        APIError(status: .forbidden,
                 message: "Requests for host \(host.map { "'\($0)'" } ?? "(no Host header)") are refused: this server answers to localhost, 127.0.0.1 and [::1]. Start it with --allowed-host NAME to answer to another name.",
                 type: "permission_error", code: "host_not_allowed")
    }

    /// 403: the request comes from a web page whose origin is not allowed (CSRF).
    public static func originNotAllowed(_ origin: String) -> APIError {
        APIError(status: .forbidden,
                 message: "Requests from web pages at '\(origin)' are refused. Start the server with --cors-origin \(origin) to allow that page.",
                 type: "permission_error", code: "origin_not_allowed")
    }

    /// 408: the client took too long to send a request's `part` (header or body).
    public static func requestTimeout(part: String, seconds: Double, flag: String) -> APIError {
        APIError(status: .requestTimeout,
                 message: "The request \(part) did not arrive within \(seconds.plainText) s; the connection is closed. Send it at once, or start the server with a larger \(flag).",
                 type: "invalid_request_error", code: "request_timeout")
    }

    /// 503: the connection cap is reached and every connection is busy.
    public static func tooManyConnections(limit: Int) -> APIError {
        APIError(status: .serviceUnavailable,
                 message: "The server holds \(limit) connections, all busy; this one is closed. Retry later, or start it with a larger --max-connections.",
                 type: "server_error", code: "too_many_connections")
    }

    /// 429: every generation slot is busy and the wait queue is full.
    public static func queueFull(waiting: Int) -> APIError {
        APIError(status: .tooManyRequests, message: "The server is busy: \(waiting) requests are already waiting. Retry later, or start it with a larger --queue or --parallel.",
                 type: "rate_limit_error", code: "queue_full")
    }

    /// 503: the model is still loading (or failed to load).
    public static func unavailable(_ message: String) -> APIError {
        APIError(status: .serviceUnavailable, message: message, type: "server_error", code: "model_not_ready")
    }

    /// 500: a failure that is the server's, not the request's.
    public static func internalError(_ message: String) -> APIError {
        APIError(status: .internalServerError, message: message, type: "server_error", code: "internal_error")
    }

    /// The JSON body: `{"error": {"message", "type", "param", "code"}}` (nulls kept, as OpenAI does).
    public var body: ErrorBody { ErrorBody(error: .init(message: message, type: type, param: param, code: code)) }

    /// The error as an HTTP response: `status` and the JSON `body`.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: WireJSON.encode(body))))
    }
}

extension Double {
    /// `10` for 10.0, `0.5` for 0.5: seconds as a person writes them.
    var plainText: String { self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self) }
}

/// The wire shape of an error response.
public struct ErrorBody: Codable, Sendable, Equatable {
    /// The fields inside `"error"`; `param` and `code` are written as null when absent.
    public struct Detail: Codable, Sendable, Equatable {
        /// What went wrong.
        public var message: String
        /// OpenAI's error type.
        public var type: String
        /// The request field at fault.
        public var param: String?
        /// A machine-readable code.
        public var code: String?

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(message, forKey: .message)
            try c.encode(type, forKey: .type)
            try c.encode(param, forKey: .param)
            try c.encode(code, forKey: .code)
        }
    }

    /// The one `"error"` member.
    public var error: Detail
}
