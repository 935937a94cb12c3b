import Foundation

/// When and how long a remote teacher waits before trying a request again: exponential backoff
/// with jitter, at least what the server's `Retry-After` asks.
public struct RetryPolicy: Sendable, Equatable {
    /// Tries in all, the first included (1: no retries).
    public var maxAttempts: Int
    /// The wait after the first failure; doubled after each further one.
    public var baseDelay: TimeInterval
    /// The longest backoff wait (a server's Retry-After may ask for longer, up to `maxRetryAfter`).
    public var maxDelay: TimeInterval
    /// Random extra wait, as a fraction of the backoff (spreads clients that failed together).
    public var jitter: Double
    /// The longest Retry-After honoured.
    public var maxRetryAfter: TimeInterval

    public init(maxAttempts: Int = 6, baseDelay: TimeInterval = 0.5, maxDelay: TimeInterval = 30, jitter: Double = 0.5,
                maxRetryAfter: TimeInterval = 120) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = max(0, baseDelay)
        self.maxDelay = max(0, maxDelay)
        self.jitter = max(0, jitter)
        self.maxRetryAfter = max(0, maxRetryAfter)
    }

    /// Whether an HTTP status is worth retrying: 429 (rate limited) and 5xx.
    public static func isRetryable(status: Int) -> Bool { status == 429 || (500 ... 599).contains(status) }

    /// The wait after failed attempt `attempt` (1-based): `baseDelay·2^(attempt−1)` capped at
    /// `maxDelay`, plus up to `jitter` of it at random (`unit` in [0, 1)), and never less than
    /// `retryAfter` (capped at `maxRetryAfter`).
    public func delay(afterAttempt attempt: Int, retryAfter: TimeInterval?, unit: Double = Double.random(in: 0 ..< 1)) -> TimeInterval {
        let exponent = Double(min(max(attempt - 1, 0), 30))
        let backoff = min(maxDelay, baseDelay * pow(2, exponent))
        let wait = backoff * (1 + jitter * unit)
        guard let retryAfter else { return wait }
        return max(wait, min(max(retryAfter, 0), maxRetryAfter))
    }

    /// Parses a `Retry-After` header: delay seconds, or an HTTP date (seconds from `now`).
    public static func retryAfter(_ header: String?, now: Date = Date()) -> TimeInterval? {
        guard let h = header?.trimmingCharacters(in: .whitespaces), !h.isEmpty else { return nil }
        if let s = Double(h), s.isFinite { return max(0, s) }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = f.date(from: h) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}
