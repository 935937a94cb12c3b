import Foundation
import KingletRuntime
import KingletTestSupport
@testable import KingletDistill

/// The real model, the built `kinglet` executable and child processes, for the teacher tests.
enum TeacherTestSupport {
    /// SmolLM2-135M-Instruct: `KINGLET_TEST_MODEL_SMOLLM2`, or pulled (never skipped).
    static var modelPath: String { TestModelFiles.smolLM2 }

    /// One engine shared by the suites (tests run in parallel; the teacher serializes its use).
    static let engine: Result<Engine, Error> = Result { try Engine(path: modelPath, options: EngineOptions(threads: 2, contextLength: 2048)) }

    /// The id `kinglet serve --model PATH` gives the model: the file name without `.gguf`.
    static var modelID: String { URL(fileURLWithPath: modelPath).deletingPathExtension().lastPathComponent }

    /// The repository root.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A fresh temporary directory.
    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-distill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// `kinglet`, built next to the test bundle by `swift test`.
    static func kinglet() throws -> URL { try kingletExecutable() }

    /// Runs a command to completion: exit status, stdout, stderr.
    static func run(_ executable: URL, _ args: [String], timeout: TimeInterval = 600) throws -> (status: Int32, stdout: String, stderr: String) {
        try ChildProcess.run(executable, args, timeout: timeout)
    }
}

/// A teacher that answers from the request alone and counts what it was asked: for dataset and
/// resume tests without a model. `failAt` makes the request with that index in a call throw
/// (after the earlier ones were reported).
final class FakeTeacher: Teacher, @unchecked Sendable {
    let name: String
    private let lock = NSLock()
    private var asked: [TeacherRequest] = []
    var failAt: Int?

    init(name: String = "fake", failAt: Int? = nil) {
        self.name = name
        self.failAt = failAt
    }

    var requests: [TeacherRequest] { lock.withLock { asked } }

    static func reply(_ r: TeacherRequest) -> TeacherCompletion {
        let text = "reply to \(r.messages.last?.content ?? "") (seed \(r.seed))"
        return TeacherCompletion(text: text, promptTokens: [1, 2, 3], completionTokens: Array(text.utf8.prefix(5)).map(Int.init) + [2],
                                 finishReason: "stop", topLogprobs: r.topLogprobs.map { _ in [[TeacherLogprob(token: "r", logprob: -0.5)]] })
    }

    func complete(_ requests: [TeacherRequest], onEach: @escaping @Sendable (Int, TeacherCompletion) -> Void) async throws -> [TeacherCompletion] {
        var out: [TeacherCompletion] = []
        for (i, r) in requests.enumerated() {
            if i == failAt { throw TeacherError.generation(reason: "fake failure at \(i)") }
            lock.withLock { asked.append(r) }
            out.append(Self.reply(r))
            onEach(i, out[i])
        }
        return out
    }
}
