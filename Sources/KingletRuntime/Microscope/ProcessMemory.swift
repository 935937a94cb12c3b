import Foundation

/// The process's resident memory, from Linux's `/proc/self/status` (nil elsewhere).
public enum ProcessMemory {
    /// Resident set size now (`VmRSS`), in bytes.
    public static var resident: Int? { field("VmRSS:") }

    /// The highest resident set size since the process started or since the last
    /// ``resetPeak()`` (`VmHWM`), in bytes.
    public static var peakResident: Int? { field("VmHWM:") }

    /// Resets the peak to the current resident size (writes `5` to `/proc/self/clear_refs`,
    /// Linux 4.0+). Returns false where that is not possible.
    @discardableResult
    public static func resetPeak() -> Bool {
        guard let h = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? h.close() }
        do { try h.write(contentsOf: Data("5".utf8)) } catch { return false }
        return true
    }

    private static func field(_ name: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(name) {
            let kb = line.dropFirst(name.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap { Int($0) }
            return kb.map { $0 * 1024 }
        }
        return nil
    }
}
