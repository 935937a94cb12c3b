import Foundation
import Hummingbird

/// The API key's sources besides the command line (where every local user can read it in `ps`):
/// a file, or an environment variable. The key is one line of text; a file's trailing newline
/// and surrounding blanks are not part of it.
public enum APIKey {
    /// The key held in the file at `path`.
    public static func read(file path: String) throws(APIKeyError) -> String {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = (error as NSError).localizedFailureReason ?? error.localizedDescription
            throw .unreadable(path: path, reason: reason.trimmingCharacters(in: CharacterSet(charactersIn: ". ")))
        }
        guard let text = String(data: data, encoding: .utf8) else { throw .unreadable(path: path, reason: "it is not UTF-8 text") }
        return try checked(text.trimmingCharacters(in: .whitespacesAndNewlines), source: path)
    }

    /// `key` if it can be a key: not empty, no line breaks or control characters.
    public static func checked(_ key: String, source: String) throws(APIKeyError) -> String {
        guard !key.isEmpty else { throw .empty(source: source) }
        guard !key.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .notOneLine(source: source)
        }
        return key
    }

    /// Whether `a` and `b` are equal, in a time that depends on their lengths only.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var diff = UInt8(x.count == y.count ? 0 : 1)
        for i in 0 ..< max(x.count, y.count) {
            diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
        }
        return diff == 0
    }
}

/// Why an API key could not be used.
public enum APIKeyError: Error, Sendable, Equatable, LocalizedError {
    /// The key file could not be read.
    case unreadable(path: String, reason: String)
    /// The source (a file path, a variable name) holds no key.
    case empty(source: String)
    /// The key has a line break or control character inside.
    case notOneLine(source: String)

    public var errorDescription: String? {
        switch self {
        case .unreadable(let path, let reason):
            return "cannot read the API key file \(path): \(reason). Check the path and its permissions."
        case .empty(let source):
            return "the API key from \(source) is empty. Put the key in it, or leave the server without a key."
        case .notOneLine(let source):
            return "the API key from \(source) has a line break or control character inside. A key is one line of text."
        }
    }
}

/// With an API key, every route but `/health` needs `Authorization: Bearer KEY`.
struct APIKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    let key: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let key, request.uri.path != "/health" {
            let header = request.headers[.authorization] ?? ""
            let scheme = "bearer "
            guard header.count > scheme.count, header.prefix(scheme.count).lowercased() == scheme,
                  APIKey.constantTimeEqual(String(header.dropFirst(scheme.count)), key) else { throw APIError.unauthorized }
        }
        return try await next(request, context)
    }
}
