/// Finds stop strings in streamed text without ever emitting part of one.
///
/// Text that could still be the start of a stop string is held back until it either completes
/// the stop string (then generation ends and the stop string is not emitted) or cannot.
public struct StopMatcher: Sendable {
    public let stops: [String]
    private var pending = ""

    public init(_ stops: [String]) { self.stops = stops.filter { !$0.isEmpty } }

    /// Feeds new text; returns what may be emitted now and whether a stop string was hit.
    public mutating func feed(_ text: String) -> (emit: String, stopped: Bool) {
        guard !stops.isEmpty else { return (text, false) }
        pending += text
        // Earliest complete stop string wins.
        var earliest: String.Index?
        for s in stops {
            if let r = pending.range(of: s), earliest.map({ r.lowerBound < $0 }) ?? true { earliest = r.lowerBound }
        }
        if let e = earliest {
            let out = String(pending[..<e])
            pending = ""
            return (out, true)
        }
        // Hold back the longest suffix that is a proper prefix of some stop string.
        var hold = 0
        for s in stops {
            let maxLen = min(s.count - 1, pending.count)
            if maxLen <= hold { continue }
            for len in stride(from: maxLen, to: hold, by: -1) where pending.hasSuffix(String(s.prefix(len))) {
                hold = len
                break
            }
        }
        let cut = pending.index(pending.endIndex, offsetBy: -hold)
        let out = String(pending[..<cut])
        pending = String(pending[cut...])
        return (out, false)
    }

    /// Text still held back (emitted when generation ends for another reason).
    public mutating func flush() -> String {
        defer { pending = "" }
        return pending
    }
}
