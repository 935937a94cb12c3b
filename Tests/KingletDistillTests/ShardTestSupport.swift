import Foundation
import KingletGGUF
import KingletTestSupport
@testable import KingletDistill

/// A tiny synthetic teacher (the seeded tiny llama with a letters-only tokenizer and a chat
/// template that just joins the turns), and runs of the generation and scoring jobs on it.
enum ShardFixtures {
    /// Writes the tiny teacher to `directory/name.gguf`; `outputScale` varies the weights.
    static func teacher(in directory: URL, name: String = "tiny-teacher", outputScale: Float = 1.5) throws -> URL {
        var (w, _) = TinyLlamaFile.build(tied: false, outputScale: outputScale)
        TinyEngineFile.addTokenizer(&w, vocabulary: TinyLlamaFile.V)
        w.set("tokenizer.chat_template", "{% for m in messages %}{{ m['content'] }}{% endfor %}")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent("\(name).gguf")
        try w.write(to: url.path)
        return url
    }

    /// `count` prompts of letters a … j (the tiny vocabulary), one repeated, as a JSONL file.
    static func prompts(in directory: URL, count: Int = 40) throws -> URL {
        let letters = Array("abcdefghij")
        var lines: [String] = []
        for i in 0 ..< count {
            let n = 2 + i % 7
            let text = String((0 ..< n).map { letters[(i * 7 + $0 * 3 + $0 * $0) % 10] })
            lines.append("{\"prompt\": \"\(text)\"}")
        }
        lines.append(lines[3])  // a repeat: one sample, in the shard of its first occurrence
        let url = directory.appendingPathComponent("prompts.jsonl")
        try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// A generation job on the tiny teacher: sampled (seeded), 3 sequences at a time, top-4 scores.
    static func generation(teacher: URL, prompts: URL, into directory: URL, shard: ShardSpec? = nil,
                           scoreTopK: Int = 4, threads: Int = 2) -> DistillGenerationJob {
        var job = DistillGenerationJob(teacher: .local(model: teacher.path, threads: threads, context: 64, scoreTopK: scoreTopK),
                                       prompts: .file(prompts), directory: directory)
        // Hot enough that some sequences stop early: a batch finishes out of order.
        job.settings.maxTokens = 30
        job.settings.temperature = 1.5
        job.settings.topP = 1
        job.settings.seed = 7
        job.settings.topLogprobs = 2
        job.concurrency = 3
        job.shard = shard
        return job
    }

    /// Every file under `directory` (relative path → bytes).
    static func files(_ directory: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let base = directory.standardizedFileURL.path
        guard let walker = FileManager.default.enumerator(atPath: base) else { return out }
        for case let path as String in walker {
            var isDirectory: ObjCBool = false
            let full = base + "/" + path
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
                out[path] = try Data(contentsOf: URL(fileURLWithPath: full))
            }
        }
        return out
    }

    /// Copies a directory.
    static func copy(_ from: URL, to: URL) throws {
        try FileManager.default.copyItem(at: from, to: to)
    }
}
