import Foundation

extension DistillPipeline {
    /// The teacher's `ShippedFigures`, measured once and kept for every later report.
    public var teacherFiguresURL: URL { directory.appendingPathComponent("teacher.json") }

    /// Between training and the report: the teacher's decode speed, file size, greedy answers to
    /// the held-out prompts the students answer, and its perplexity of its own answers (the floor
    /// the students' figures compare with). Skipped when `teacherFiguresURL` exists.
    @discardableResult
    public func measureTeacher(events: @escaping DistillEventHandler = { _ in }) throws -> ShippedFigures {
        if let kept = try? ShippedFigures(contentsOf: teacherFiguresURL) { return kept }
        let c = configuration
        let teacherPath = try store.resolve(c.teacher) { events(.message($0)) }
        let probe = ShippedModelProbe(threads: c.threads)
        let prompts = try HeldOutPrompt.select(dataDirectory: dataDirectory, length: c.seq,
                                               validationFraction: c.validationFraction, count: probe.prompts)
        let f = try probe.measure(model: teacherPath, teacher: teacherPath, prompts: prompts, format: nil)
        try f.jsonData().write(to: teacherFiguresURL, options: .atomic)
        events(.message(String(format: "teacher: tg%d %.1f t/s, perplexity of its own answers %.3f (%d prompts), measured in %.1f s",
                               probe.decodeTokens, f.tg128TokensPerSecond ?? .nan, f.teacherPPLOfGenerations ?? .nan,
                               prompts.count, f.seconds ?? .nan)))
        return f
    }
}
