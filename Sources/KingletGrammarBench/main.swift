// kinglet-grammar-bench: cost of one token mask (GrammarMatcher.mask) per generation step on a real
// vocabulary (SmolLM2's 49,152 tokens, read from its GGUF: the pieces KingletTokenizer decodes from
// the byte-level BPE alphabet). Each case feeds valid documents token by token (as a model would
// produce them), timing the mask before each token: the first pass fills the context cache
// ("cold"), the next passes reuse it ("warm"). Then random walks (uniform over allowed tokens).
//
//   swift run -c release --scratch-path .build-gr kinglet-grammar-bench [--frames K] [--lazy] [MODEL.gguf]
//   (--lazy: no precomputed bases, each computed on first use, as before)
//   kinglet-grammar-bench sample SCHEMA.json COUNT [SEED]   (random sentences; Sample.swift)
//
// Default model: ~/.cache/kinglet/models/smollm2-135m/*.gguf.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import KingletGGUF
import KingletGrammar
import KingletTokenizer

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func defaultModel() -> String? {
    let dir = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/kinglet/models/smollm2-135m")
    let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
    return files.filter { $0.hasSuffix(".gguf") }.sorted().first.map { dir.appendingPathComponent($0).path }
}

struct Stats {
    var samples: [Double] = []
    mutating func add(_ s: Double) { samples.append(s) }
    var summary: String {
        guard !samples.isEmpty else { return "no samples" }
        let sorted = samples.sorted()
        let mean = samples.reduce(0, +) / Double(samples.count)
        let p50 = sorted[sorted.count / 2], p99 = sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))]
        return String(format: "n=%5d  mean %8.1f µs  p50 %7.1f µs  p99 %9.1f µs  max %9.1f µs",
                      samples.count, mean * 1e6, p50 * 1e6, p99 * 1e6, (sorted.last ?? 0) * 1e6)
    }
}

func isSet(_ mask: [UInt64], _ t: Int32) -> Bool { mask[Int(t) >> 6] >> UInt64(t & 63) & 1 == 1 }

/// Feeds `tokens`, timing a mask before each; returns false if a token was not allowed.
func teacherForce(_ masker: TokenMasker, _ tokens: [Int32], eos: Int32, stats: inout Stats) -> Bool {
    guard let m = try? GrammarMatcher(masker: masker) else { return false }
    var mask: [UInt64] = []
    for t in tokens + [eos] {
        let t0 = now()
        m.mask(into: &mask)
        stats.add(now() - t0)
        guard isSet(mask, t), (try? m.accept(token: t)) != nil else { return false }
    }
    return true
}

func randomWalks(_ masker: TokenMasker, walks: Int, steps: Int, stats: inout Stats) {
    var rng = SystemRandomNumberGenerator()
    var mask: [UInt64] = []
    for _ in 0 ..< walks {
        guard let m = try? GrammarMatcher(masker: masker) else { return }
        for _ in 0 ..< steps {
            let t0 = now()
            m.mask(into: &mask)
            stats.add(now() - t0)
            var allowed: [Int32] = []
            for (w, word) in mask.enumerated() where word != 0 {
                var x = word
                while x != 0 { allowed.append(Int32(w * 64 + x.trailingZeroBitCount)); x &= x - 1 }
            }
            guard let pick = allowed.randomElement(using: &rng), (try? m.accept(token: pick)) != nil, !m.isTerminated else { break }
        }
    }
}

var args = Array(CommandLine.arguments.dropFirst())
if args.first == "sample" {
    guard args.count >= 3, let count = Int(args[2]), let text = try? String(contentsOfFile: args[1], encoding: .utf8) else {
        print("usage: kinglet-grammar-bench sample SCHEMA.json COUNT [SEED]")
        exit(2)
    }
    do {
        for line in try sampleSentences(schemaText: text, count: count, seed: args.count > 3 ? UInt64(args[3]) ?? 1 : 1) { print(line) }
    } catch {
        print("error: \(error)")
        exit(1)
    }
    exit(0)
}
var frames = TokenMasker.defaultContextFrames
if let i = args.firstIndex(of: "--frames"), i + 1 < args.count, let k = Int(args[i + 1]) {
    frames = k
    args.removeSubrange(i ... i + 1)
}
let precompute = !args.contains("--lazy")
args.removeAll { $0 == "--lazy" }
guard let path = args.first ?? defaultModel() else {
    print("no model: pass a GGUF path (SmolLM2 is looked for in ~/.cache/kinglet/models/smollm2-135m)")
    exit(2)
}
let file = try GGUFFile(path: path)
let tokenizer = try Tokenizer(gguf: file)
let n = tokenizer.vocabularySize
var special = Set<Int32>(), eog = Set<Int32>()
for id in 0 ..< Int32(n) {
    if tokenizer.isEndOfGeneration(id) { eog.insert(id) }
    if !tokenizer.attributes(id).isDisjoint(with: [.control, .unknown, .unused]) { special.insert(id) }
}
let vocabulary = (0 ..< Int32(n)).map { tokenizer.piece($0, special: true) }
guard let eos = tokenizer.eot ?? tokenizer.eos ?? eog.first else { print("no end-of-generation token"); exit(2) }
var t0 = now()
let trie = TokenTrie(vocabulary: vocabulary, special: special, endOfGeneration: eog)
print(String(format: "model %@: %d tokens (%d special, %d end-of-generation), trie %d nodes built in %.1f ms",
             (path as NSString).lastPathComponent, n, special.count, eog.count, trie.nodeCount, (now() - t0) * 1e3))
print("cpu: \(cpuName()); \(ProcessInfo.processInfo.activeProcessorCount) cores")

for c in benchCases() {
    let grammar: Grammar
    do { grammar = try c.grammar() } catch { print("\(c.name): \(error)"); continue }
    t0 = now()
    let masker = TokenMasker(grammar: grammar, trie: trie, contextFrames: frames, precompute: precompute)
    let buildMs = (now() - t0) * 1e3
    let docs = c.documents.map { tokenizer.encode($0, addSpecial: false, parseSpecial: false) }
    print("\n\(c.name): \(grammar), context frames \(frames), \(docs.count) documents, \(docs.map(\.count).reduce(0, +)) tokens")
    print(String(format: "  masker built in %.1f ms (%d contexts precomputed, %.1f MiB)", buildMs, masker.precomputedContexts, Double(masker.precomputedBytes) / 1048576))
    for pass in 0 ..< 3 {
        var stats = Stats()
        t0 = now()
        for (i, d) in docs.enumerated() where !teacherForce(masker, d, eos: eos, stats: &stats) {
            print("  document \(i) rejected: \(c.documents[i].prefix(80))")
        }
        print("  \(pass == 0 ? "cold" : "warm") pass: \(stats.summary)  (\(masker.cachedContexts) contexts cached)")
    }
    var walk = Stats()
    randomWalks(masker, walks: 20, steps: 64, stats: &walk)
    print("  random walks: \(walk.summary)  (\(masker.cachedContexts) contexts cached)")
}

func cpuName() -> String {
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
    return info.split(separator: "\n").first { $0.hasPrefix("model name") }?.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
}
