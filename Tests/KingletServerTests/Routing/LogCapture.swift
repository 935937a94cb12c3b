import Foundation
import Logging

/// A log handler that keeps every message (with its metadata) at every level, for tests that
/// check what reaches the logs.
struct LogCapture: LogHandler {
    final class Store: @unchecked Sendable {
        private let lock = NSLock()
        /// Each event as a line of text, with its metadata (the logger's merged with the event's).
        private var events: [(line: String, metadata: Logger.Metadata)] = []
        func append(_ line: String, _ metadata: Logger.Metadata) { lock.withLock { events.append((line, metadata)) } }
        var text: String { lock.withLock { events.map(\.line).joined(separator: "\n") } }
        /// The value of metadata `key` in each event that has it, in order.
        func values(of key: String) -> [String] { lock.withLock { events.compactMap { $0.metadata[key]?.description } } }
        var count: Int { lock.withLock { events.count } }
    }

    let store: Store
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        store.append("\(event.level) \(event.message) \(merged)", merged)
    }

    /// A logger writing into a new store.
    static func logger() -> (Logger, Store) {
        let store = Store()
        var logger = Logger(label: "test.capture") { _ in LogCapture(store: store) }
        logger.logLevel = .trace
        return (logger, store)
    }
}
