import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP connection to a loopback port, for what no HTTP client sends: a foreign `Host`, a
/// header one byte at a time, a socket that says nothing. Blocking; run it with `offPool`.
final class RawConnection: @unchecked Sendable {
    private var fd: Int32 = -1

    /// Connects to 127.0.0.1, or ::1 when nothing listens there (a test server binds `localhost`).
    init(port: Int) throws {
        for family in [AF_INET, AF_INET6] {
            let s = socket(family, Int32(SOCK_STREAM.rawValue), 0)
            guard s >= 0 else { continue }
            if Self.connect(s, family: family, port: port) { fd = s; return }
            Glibc.close(s)
        }
        throw RawConnectionError("cannot connect to loopback port \(port): \(String(cString: strerror(errno)))")
    }

    private static func connect(_ s: Int32, family: Int32, port: Int) -> Bool {
        if family == AF_INET {
            var a = sockaddr_in()
            a.sin_family = sa_family_t(AF_INET)
            a.sin_port = in_port_t(UInt16(port).bigEndian)
            a.sin_addr.s_addr = inet_addr("127.0.0.1")
            return withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 } }
        }
        var a = sockaddr_in6()
        a.sin6_family = sa_family_t(AF_INET6)
        a.sin6_port = in_port_t(UInt16(port).bigEndian)
        a.sin6_addr = in6addr_loopback
        return withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            Glibc.connect(s, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) == 0 } }
    }

    /// Sends `text`; false when the server has closed the connection.
    @discardableResult
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }

    /// Reads until the server closes the connection or `seconds` pass: what arrived, and whether
    /// the connection was closed.
    func read(seconds: Double) -> (text: String, closed: Bool) {
        var out = [UInt8]()
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return (String(decoding: out, as: UTF8.self), false) }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, Int32(left * 1000) + 1) > 0 else { continue }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return (String(decoding: out, as: UTF8.self), true) }
            out.append(contentsOf: buffer[0 ..< n])
        }
    }

    /// Reads one response to a request sent with `Connection: close`.
    func response(seconds: Double = 30) -> RawResponse { RawResponse(read(seconds: seconds).text) }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    deinit { close() }
}

/// An HTTP/1.1 response as text: status, headers (lowercased names), body.
struct RawResponse {
    var status = 0
    var headers: [String: String] = [:]
    var body = ""

    init(_ text: String) {
        let parts = text.components(separatedBy: "\r\n\r\n")
        let lines = parts[0].components(separatedBy: "\r\n")
        status = lines.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        body = parts.dropFirst().joined(separator: "\r\n\r\n")
    }

    /// `error.code` of an OpenAI-style error body.
    var errorCode: String? {
        let json = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        return (json?["error"] as? [String: Any])?["code"] as? String
    }
}

struct RawConnectionError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Runs blocking `work` on a thread of its own, off the few threads the in-process server's
/// handlers share with the test.
func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
