import Foundation

/// `metrics.jsonl`: one JSON object per line, `"type": "train"` per step and `"type": "eval"` per
/// evaluation. On resume, lines past the checkpoint's step are dropped, so the file reads as if
/// the run had never stopped.
final class MetricsLog {
    let url: URL
    private let handle: FileHandle

    init(url: URL, resumeAfterStep: Int?) throws {
        self.url = url
        let fm = FileManager.default
        if let keepThrough = resumeAfterStep, let data = fm.contents(atPath: url.path) {
            var kept = ""
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
                guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let step = obj["step"] as? Int, step <= keepThrough else { continue }
                kept += line + "\n"
            }
            try Data(kept.utf8).write(to: url, options: .atomic)
        } else {
            try Data().write(to: url, options: .atomic)
        }
        handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
    }

    deinit { try? handle.close() }

    func append(_ fields: [String: Any]) {
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) else { return }
        try? handle.write(contentsOf: data + Data("\n".utf8))
    }
}
