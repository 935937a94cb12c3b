import Foundation
import Hummingbird

/// The route table: every route the server has, in one place.
///
/// | route | handler |
/// |---|---|
/// | `GET /health` | `{"status": "ok"}` (200), `loading` / `error` (503) |
/// | `GET /metrics` | Prometheus text |
/// | `GET /v1/models` | the one served model |
/// | `POST /v1/chat/completions` | `ChatCompletionsRoute` |
/// | `POST /v1/completions` | `CompletionsRoute` |
///
/// Every request passes, in order: metrics, the `Host` allowlist (403), the `Origin` check and
/// CORS (403; preflights answered here), the error mapper (everything below becomes OpenAI JSON),
/// the API key (401), JSON bodies only (415).
func buildRouter(host: ModelHost, metrics: ServerMetrics, options: ServerOptions, upstream: UpstreamClient? = nil) -> Router<BasicRequestContext> {
    let router = Router()
    router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
    router.add(middleware: HostCheckMiddleware(allowlist: HostAllowlist(bindHost: options.host, extra: options.allowedHosts)))
    router.add(middleware: CORSMiddleware(policy: OriginPolicy(options.corsOrigins)))
    router.add(middleware: OpenAIErrorMiddleware(maxBody: options.maxBody))
    router.add(middleware: APIKeyMiddleware(key: options.apiKey))
    router.add(middleware: ContentTypeMiddleware())

    router.get("/health") { _, _ -> Response in
        switch host.current {
        case .ready: return jsonResponse(Health(status: "ok", model: host.modelID))
        case .loading: return jsonResponse(Health(status: "loading", model: host.modelID), status: .serviceUnavailable)
        case .failed(let why): return jsonResponse(Health(status: "error", model: host.modelID, message: why), status: .serviceUnavailable)
        }
    }
    router.get("/metrics") { _, _ -> Response in
        Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(string: metrics.prometheusText())))
    }
    router.get("/v1/models") { _, _ -> Response in
        let created: Int
        if case .ready(let m) = host.current { created = m.created } else { created = Int(Date().timeIntervalSince1970) }
        return jsonResponse(ModelList(data: [.init(id: host.modelID, created: created)]))
    }
    let chat = ChatCompletionsRoute(host: host, maxBody: options.maxBody, maxTokensLimit: options.maxTokensLimit)
    let text = CompletionsRoute(host: host, maxBody: options.maxBody, maxTokensLimit: options.maxTokensLimit)
    var chatHandler: RoutedEndpoint.Handler = { request, context in try await chat.respond(request, context: context) }
    var textHandler: RoutedEndpoint.Handler = { request, context in try await text.respond(request, context: context) }
    if let upstream {
        // `kinglet serve --upstream`: both generating routes go through the router.
        let (c, t) = (chatHandler, textHandler)
        chatHandler = RoutedEndpoint(path: "chat/completions", local: c, upstream: upstream, metrics: metrics.routing, maxBody: options.maxBody).respond
        textHandler = RoutedEndpoint(path: "completions", local: t, upstream: upstream, metrics: metrics.routing, maxBody: options.maxBody).respond
    }
    let (chatRoute, textRoute) = (chatHandler, textHandler)
    router.post("/v1/chat/completions") { request, context in try await chatRoute(request, context) }
    router.post("/v1/completions") { request, context in try await textRoute(request, context) }
    return router
}

func jsonResponse(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
    var h = headers
    h[.contentType] = "application/json"
    return Response(status: status, headers: h, body: .init(byteBuffer: ByteBuffer(bytes: WireJSON.encode(value))))
}
