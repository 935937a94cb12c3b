import Foundation
import Testing
@testable import KingletChatTemplate
import KingletTestSupport

/// Issue 12's fuzzer: 10,000 hostile templates (mutated from llama.cpp's real templates and the
/// reference cases, or generated), rendered against normal and hostile inputs. Every one must
/// end with output or a `TemplateError` (a crash ends the test process), each within a second,
/// in memory the budget bounds. Seeded: the same templates on every run and platform.
@Suite struct TemplateFuzzTests {
    static let count = 10_000
    static let seed: UInt64 = 0x4B69_6E67_6C65_7412  // "Kinglet", issue 12
    /// Smaller than the default so that the many runaway templates end in milliseconds; still
    /// twenty times what the real templates need (see `LlamaCppTemplateTests`).
    static let budget = RenderBudget(maxOutputBytes: 64 << 10, maxSteps: 30_000, maxDepth: 200, maxCallDepth: 64,
                                     maxCollectionCount: 1 << 14, maxStringBytes: 256 << 10)
    /// The slowest render allowed: a second in an optimized build (as CI runs it); a debug build's
    /// code is several times slower.
    #if DEBUG
    static let slowestAllowed = Duration.seconds(5)
    #else
    static let slowestAllowed = Duration.seconds(1)
    #endif

    /// Set in the child copy of the test runner that runs the fuzzer alone.
    static let childKey = "KINGLET_TEMPLATE_FUZZ_CHILD"

    /// The peak-memory bound is measured in a child process that runs only this suite: in the
    /// suite's own process the peak is every suite's (models loading beside it measured +236 to
    /// +1,100 MiB of "growth" here; the fuzzer alone grows the peak by about 26 MiB).
    @Test func hostileTemplatesEndWithOutputOrTypedError() throws {
        #if os(Linux)
        if ProcessInfo.processInfo.environment[Self.childKey] == nil {
            let (status, output) = try Self.runAlone()
            let line = output.split(separator: "\n").first { $0.hasPrefix("fuzzer:") }
            if let line { print(line) }
            #expect(status == 0, "the fuzzer's child process failed:\n\(output.suffix(4000))")
            #expect(line != nil, "no report from the fuzzer's child process:\n\(output.suffix(4000))")
            return
        }
        #endif
        let report = SmallStack.run { Self.fuzz() }
        print(report.summary)
        #expect(report.renders == Self.count)
        #expect(report.slowest < Self.slowestAllowed, "slowest render: \(report.slowest)\n\(report.slowestSource.prefix(2000))")
        #expect(report.outcomes["rendered", default: 0] > Self.count / 20, "the fuzzer should also produce working templates")
        #expect(report.peakMemoryGrowth < 1 << 30, "peak memory grew by \(report.peakMemoryGrowth) bytes")
    }

    /// Runs this suite in a new copy of the test runner (this executable), with `childKey` set;
    /// its exit status and its output (stdout, then stderr). A child still running after five
    /// minutes is stopped (the fuzz takes 10–40 s).
    static func runAlone() throws -> (Int32, String) {
        let child = ChildProcess(URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath(),
                                 ["--testing-library", "swift-testing", "--filter", "TemplateFuzzTests"])
        // The parent's testing-library settings (an event stream `swift test` reads) stay with the parent.
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SWT_") && !$0.key.hasPrefix("SWIFT_TESTING") }
        environment[childKey] = "1"
        child.process.environment = environment
        try child.start()
        let status = child.finish(seconds: 300)
        return (status, child.stdout.string + child.stderr.string)
    }

    struct Report: Sendable {
        var renders = 0
        var outcomes: [String: Int] = [:]
        var slowest: Duration = .zero
        var slowestSource = ""
        var total: Duration = .zero
        var peakMemoryGrowth = 0
        var peakMemory = 0

        var summary: String {
            let kinds = outcomes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            return "fuzzer: \(renders) templates in \(total), slowest \(slowest), peak memory +\(peakMemoryGrowth >> 20) MiB "
                + "(process peak \(peakMemory >> 20) MiB); \(kinds)"
        }
    }

    static func fuzz() -> Report {
        let corpus = LlamaCppCorpus.templates.map(\.source) + BuiltinChatTemplate.allCases.map(\.source)
            + CaseLibrary.all().compactMap { CaseLibrary.read($0.template) }
        var mutator = TemplateMutator(seed: seed, corpus: corpus)
        var generator = TemplateGenerator(seed: seed &+ 1)
        let contexts = FuzzContexts.all
        let memoryBefore = FuzzContexts.peakMemory()
        let clock = ContinuousClock()
        var report = Report()
        let started = clock.now
        for i in 0..<count {
            let source = i % 5 == 4 ? generator.next() : mutator.next()
            let context = contexts[i % contexts.count]
            let start = clock.now
            let outcome = render(source, context)
            let elapsed = clock.now - start
            report.renders += 1
            report.outcomes[outcome, default: 0] += 1
            if elapsed > report.slowest {
                report.slowest = elapsed
                report.slowestSource = source
            }
        }
        report.total = clock.now - started
        report.peakMemory = FuzzContexts.peakMemory()
        report.peakMemoryGrowth = report.peakMemory - memoryBefore
        return report
    }

    /// Parses and renders; the outcome's kind for the tally.
    static func render(_ source: String, _ context: [String: TemplateValue]) -> String {
        do throws(TemplateError) {
            var template = try ChatTemplate(source: source)
            template.now = { CaseLibrary.fixedNow }
            _ = try template.render(context, budget: budget)
            return "rendered"
        } catch {
            switch error {
            case .syntax: return "syntax"
            case .unsupported: return "unsupported"
            case .undefined: return "undefined"
            case .type: return "type"
            case .raised: return "raised"
            case .limitExceeded: return "out of range"
            case .budgetExceeded(let limit, _, _, _): return "budget \(limit.rawValue)"
            case .invalidJSON: return "json"
            }
        }
    }
}

/// Inputs for the fuzzer: the normal conversations and hostile ones.
enum FuzzContexts {
    static let all: [[String: TemplateValue]] = {
        var contexts = LlamaCppCorpus.conversations.map(\.variables)
        var base = contexts[2]
        func with(_ key: String, _ value: TemplateValue) -> [String: TemplateValue] {
            var c = base
            c[key] = value
            return c
        }
        let big = String(repeating: "long text ", count: 30_000)
        let odd = "{{ raise_exception('x') }} {% endfor %} \u{0}\u{7}é😀\u{301}\r\n\u{2028}'\"\\"
        var deep: TemplateValue = ["type": "string"]
        for _ in 0..<150 { deep = ["type": "object", "properties": ["p": deep]] }
        let manyMessages = TemplateValue.array((0..<2000).map { i in
            ["role": i % 2 == 0 ? "user" : "assistant", "content": .string("message \(i)")]
        })
        contexts.append(with("messages", [["role": "user", "content": .string(big)]]))
        contexts.append(with("messages", [["role": "system", "content": .string(odd)], ["role": "user", "content": .string(odd)]]))
        contexts.append(with("tools", [["type": "function", "function": ["name": "deep", "parameters": deep]]]))
        contexts.append(with("messages", manyMessages))
        contexts.append(with("messages", "not a list"))
        contexts.append(with("messages", [["role": 7, "content": ["type": "text", "text": nil]], [:], nil]))
        base = [:]
        contexts.append(base)
        return contexts
    }()

    /// The process's peak resident memory, in bytes. On Linux the address space's own high-water
    /// mark (VmHWM): getrusage's ru_maxrss also keeps the peak of the process image an exec
    /// replaced — for the fuzzer's child, the parent's RSS at the fork.
    static func peakMemory() -> Int {
        var usage = rusage()
        #if os(Linux)
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
           let kb = Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces).split(separator: " ")[0]) {
            return kb * 1024
        }
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024  // kilobytes on Linux
        #else
        getrusage(RUSAGE_SELF, &usage)
        return usage.ru_maxrss
        #endif
    }
}
