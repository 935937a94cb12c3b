import Foundation
@testable import KingletRuntime
import KingletTestSupport
import Testing

/// `Comparison` on tiny models: a model held to itself diverges nowhere, a flatter head
/// diverges, another vocabulary gets bits per byte and no KL-divergence; the page escapes what
/// it shows and draws its charts.
@Suite struct ComparisonTests {
    typealias F = MicroscopeFixtures

    @Test func comparesModelsTheSameWay() throws {
        let base = try TinyEngineFile.path.get()
        let copy = F.temporaryPath("copy") + ".gguf"
        try FileManager.default.copyItem(atPath: base, toPath: copy)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        var o = ComparisonOptions()
        o.context = 16
        o.chunks = 2
        o.promptTokens = 8
        o.generationTokens = 4
        o.repetitions = 2
        o.prompts = ["abc", "jihg"]
        o.continuationTokens = 6
        o.threads = 1
        let models = [base, copy, try TinyEngineFile.pathFlatter.get(), try TinyEngineFile.gemma3Path.get()]
        var stages: [String] = []
        let report = try Comparison(models: models, text: F.text, textFile: "a<b>.txt", options: o).run { stages.append("\($0)") }
        #expect(report.models.count == 4 && report.chunks == 2 && report.repetitions == 2)
        #expect(stages.contains { $0.hasPrefix("speed(round: 2") } && stages.contains { $0.hasPrefix("perplexity") })

        let ref = report.models[0], same = report.models[1], flat = report.models[2], gemma = report.models[3]
        #expect(ref.isReference && ref.divergence == nil && !same.isReference)
        for m in report.models {
            #expect(m.promptTokensPerSecond.value > 0 && m.generationTokensPerSecond.value > 0 && m.loadSeconds > 0)
            #expect(m.fileBytes == (try FileManager.default.attributesOfItem(atPath: m.path)[.size] as? Int))
            #if os(Linux)
            #expect((m.peakResidentBytes ?? 0) > 0, "peak resident memory is measured on Linux")
            #endif
            // One byte per token on these vocabularies: bits per byte is log2 of the perplexity.
            #expect(abs(m.bitsPerByte - log2(m.perplexity.value)) < 1e-9, "\(m.bitsPerByte) vs \(log2(m.perplexity.value))")
            #expect(m.continuations.count == 2)
        }
        // The same weights: identical numbers, no divergence at all.
        let d = try #require(same.divergence)
        // The reference is saved as 16-bit log-probabilities (≤ 1.2e-4 nats each): KLDivergenceTests' bound.
        #expect(abs(d.meanKLD.value) < 2e-4 && d.sameTop.value == 1, "mean KLD \(d.meanKLD.value)")
        #expect(same.perplexity == ref.perplexity && same.bitsPerByte == ref.bitsPerByte)
        #expect(same.continuations.map(\.text) == ref.continuations.map(\.text) && same.continuations.allSatisfy { $0.firstDivergence == nil })
        // A flatter head: same vocabulary, real divergence.
        let fd = try #require(flat.divergence)
        #expect(fd.meanKLD.value > 1e-4 && flat.perplexity.value != ref.perplexity.value)
        // Another vocabulary: no KL-divergence, and the report says why.
        #expect(gemma.divergence == nil && gemma.divergenceNote?.contains("vocabulary") == true)
        #expect(gemma.architecture == "gemma3")

        let html = ComparisonPage(report).html
        #expect(html.hasPrefix("<!doctype html>") && html.hasSuffix("</html>\n"))
        #expect(html.contains("a&lt;b&gt;.txt") && !html.contains("a<b>.txt"), "text shown on the page is escaped")
        #expect(html.components(separatedBy: "<svg").count - 1 >= 2, "speed and memory charts")
        for m in models { #expect(html.contains(URL(fileURLWithPath: m).deletingPathExtension().lastPathComponent)) }
        let json = try JSONEncoder().encode(report)
        let back = try JSONDecoder().decode(ComparisonReport.self, from: json)
        #expect(back.models.map(\.perplexity) == report.models.map(\.perplexity))
    }

    @Test func firstDivergenceAndAxes() {
        #expect(Comparison.firstDifference("abc", "abd") == 2)
        #expect(Comparison.firstDifference("ab", "abc") == 2)
        #expect(Comparison.firstDifference("é1", "é2") == 1, "counted in characters")
        #expect(Comparison.firstDifference("same", "same") == nil)
        for (lo, hi) in [(0.0, 1.0), (93.2, 312.7), (0.91, 0.98), (5.0, 5.0), (0.9739, 1.0885)] {
            let axis = NiceAxis(lo: lo, hi: hi, padding: 0.12)  // the page's scatter axes
            let (a, b, ticks) = (axis.lo, axis.hi, axis.ticks)
            #expect(a < lo && b > hi && ticks.count >= 3 && ticks.count <= 12, "\(lo)…\(hi): \(ticks)")
            #expect(ticks.allSatisfy { $0 >= a && $0 <= b } && ticks == ticks.sorted())
            let labels = ticks.map(axis.label)
            #expect(Set(labels).count == labels.count, "distinct labels \(labels)")
        }
    }
}
