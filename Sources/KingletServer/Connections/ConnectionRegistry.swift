import Foundation
import NIOCore

/// The open connections, shared by every event loop: admits a new one under the cap, or in place
/// of the connection idle the longest (as nginx reuses keep-alive connections when it runs out),
/// or refuses it when every connection is busy.
///
/// So a client that opens a thousand sockets and sends nothing cannot lock out clients that send
/// requests: their sockets are closed first. Busy connections (reading a request under its
/// timeouts, or being answered) are never closed to make room. (A connection whose first bytes
/// arrive in the same instant can still be taken for idle; its client sees a reset, as with nginx.)
final class ConnectionRegistry: @unchecked Sendable {
    /// What `admit` decided.
    enum Admission {
        case admitted
        /// Admitted; this connection was the longest idle and must be closed.
        case admittedEvicting(any Channel)
        case refused
    }

    private struct Entry {
        let channel: any Channel
        /// Since when the connection has had no request in progress; nil while busy.
        var idleSince: NIODeadline?
    }

    let cap: Int
    private let metrics: ServerMetrics
    private let lock = NSLock()
    private var entries: [ObjectIdentifier: Entry] = [:]

    init(cap: Int, metrics: ServerMetrics) {
        self.cap = cap
        self.metrics = metrics
    }

    /// Registers the connection `id` (idle from now), making room if the cap is reached.
    func admit(_ id: ObjectIdentifier, channel: any Channel) -> Admission {
        let now = NIODeadline.now()
        let decision: Admission = lock.withLock {
            if entries.count < cap {
                entries[id] = Entry(channel: channel, idleSince: now)
                return .admitted
            }
            // O(open connections), only at the cap.
            let victim = entries.filter { $0.value.idleSince != nil }.min { $0.value.idleSince! < $1.value.idleSince! }
            guard let victim else { return .refused }
            entries[victim.key] = nil
            entries[id] = Entry(channel: channel, idleSince: now)
            return .admittedEvicting(victim.value.channel)
        }
        switch decision {
        case .admitted: metrics.connectionOpened()
        case .admittedEvicting: metrics.connectionOpened(evicting: true)
        case .refused: metrics.connectionRefused()
        }
        return decision
    }

    /// Marks the connection idle since `since`, or busy (nil).
    func setIdle(_ id: ObjectIdentifier, since: NIODeadline?) {
        lock.withLock { entries[id]?.idleSince = since }
    }

    /// Forgets a closed connection (no-op for one already evicted).
    func remove(_ id: ObjectIdentifier) {
        let removed = lock.withLock { entries.removeValue(forKey: id) != nil }
        if removed { metrics.connectionClosed() }
    }

    /// Connections held now.
    var count: Int { lock.withLock { entries.count } }
}
