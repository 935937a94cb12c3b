import Hummingbird

/// Which `Host` headers the server answers, against DNS rebinding: a web page whose domain
/// suddenly resolves to 127.0.0.1 reaches a loopback server with its own name in `Host`.
///
/// Bound to loopback, only `localhost`, `127.0.0.1` and `[::1]` (any port) are answered, plus
/// the names given (`--allowed-host`). Bound to another address the check is off unless names
/// are given. The name `*` turns it off.
struct HostAllowlist: Sendable, Equatable {
    static let loopbackNames: Set<String> = ["localhost", "127.0.0.1", "::1"]

    /// The names answered (lowercased, without port or brackets); nil: any.
    let names: Set<String>?

    init(bindHost: String, extra: [String]) {
        if extra.contains("*") || (!Self.isLoopback(bindHost) && extra.isEmpty) {
            names = nil
            return
        }
        var allowed = Self.loopbackNames
        for name in extra { allowed.insert(Self.hostname(name)) }
        if !["0.0.0.0", "::", ""].contains(bindHost) { allowed.insert(Self.hostname(bindHost)) }
        names = allowed
    }

    /// Whether a request with this `Host` (HTTP/1.1) or `:authority` is answered.
    func allows(_ authority: String?) -> Bool {
        guard let names else { return true }
        guard let authority, !authority.isEmpty else { return false }
        return names.contains(Self.hostname(authority))
    }

    /// `Example.COM.:8080` → `example.com`, `[::1]:80` → `::1`.
    static func hostname(_ authority: String) -> String {
        var s = Substring(authority.lowercased())
        if s.hasPrefix("[") {
            s = s.dropFirst().prefix { $0 != "]" }
        } else if let colon = s.lastIndex(of: ":"), s.firstIndex(of: ":") == colon {
            s = s[..<colon]  // one colon: host:port (a bare IPv6 address has several)
        }
        while s.hasSuffix(".") { s = s.dropLast() }
        return String(s)
    }

    /// 127.0.0.0/8, ::1 and localhost.
    static func isLoopback(_ host: String) -> Bool {
        let h = hostname(host)
        return h == "localhost" || h == "::1" || h.hasPrefix("127.")
    }
}

/// Answers 403 to a request whose `Host` is not in the allowlist.
struct HostCheckMiddleware<Context: RequestContext>: RouterMiddleware {
    let allowlist: HostAllowlist

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard allowlist.allows(request.head.authority) else {
            return try APIError.hostNotAllowed(request.head.authority).response(from: request, context: context)
        }
        return try await next(request, context)
    }
}
