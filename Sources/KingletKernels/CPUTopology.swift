// Counting physical cores on Linux (sysfs, then /proc/cpuinfo) and elsewhere.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

enum CPUTopology {
    static func physicalCoreCount() -> Int {
        let fallback = max(1, ProcessInfo.processInfo.activeProcessorCount)
        #if os(Linux)
        if let n = fromSysfs() ?? fromCPUInfo() { return max(1, min(n, fallback)) }
        return fallback
        #elseif canImport(Darwin)
        var cores: Int32 = 0
        var size = MemoryLayout<Int32>.size
        if sysctlbyname("hw.physicalcpu", &cores, &size, nil, 0) == 0, cores > 0 { return Int(cores) }
        return fallback
        #else
        return fallback
        #endif
    }

    /// Distinct (package, core) pairs among the online CPUs.
    static func fromSysfs() -> Int? {
        guard let online = try? String(contentsOfFile: "/sys/devices/system/cpu/online", encoding: .utf8) else { return nil }
        var cores = Set<String>()
        for cpu in parseCPUList(online) {
            let base = "/sys/devices/system/cpu/cpu\(cpu)/topology/"
            guard let core = try? String(contentsOfFile: base + "core_id", encoding: .utf8) else { return nil }
            let package = (try? String(contentsOfFile: base + "physical_package_id", encoding: .utf8)) ?? "0"
            cores.insert(package.trimmingCharacters(in: .whitespacesAndNewlines) + ":" + core.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return cores.isEmpty ? nil : cores.count
    }

    /// Distinct (physical id, core id) pairs in /proc/cpuinfo.
    static func fromCPUInfo() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        var cores = Set<String>()
        var physical = "0"
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            if parts[0] == "physical id" { physical = parts[1] }
            if parts[0] == "core id" { cores.insert(physical + ":" + parts[1]) }
        }
        return cores.isEmpty ? nil : cores.count
    }

    /// "0-3,5,7-8" → [0, 1, 2, 3, 5, 7, 8].
    static func parseCPUList(_ text: String) -> [Int] {
        var result: [Int] = []
        for part in text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",") {
            let bounds = part.split(separator: "-").compactMap { Int($0) }
            if bounds.count == 2, bounds[0] <= bounds[1] { result += Array(bounds[0]...bounds[1]) }
            else if bounds.count == 1 { result.append(bounds[0]) }
        }
        return result
    }
}
