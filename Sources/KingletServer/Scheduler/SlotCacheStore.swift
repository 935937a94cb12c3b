import Foundation
import KingletRuntime

/// `--prompt-cache DIR`: each slot's prompt cache as a `PromptCacheFile`, named by the model's
/// fingerprint and the slot (`<fingerprint>-slot-<i>.kvc`), so one folder serves several models
/// without one clobbering another's files. Used by the scheduler thread only.
final class SlotCacheStore {
    let directory: URL
    private let engine: Engine
    private let fingerprint: String
    private let note: @Sendable (String) -> Void
    /// Per slot: its `lastUsed` when its file was last written or read (nil: never).
    private var savedAt: [Int: Int] = [:]

    init(directory: URL, engine: Engine, note: @escaping @Sendable (String) -> Void) {
        self.directory = directory
        self.engine = engine
        self.note = note
        fingerprint = String(engine.modelFingerprint.prefix(16))
    }

    func file(slot i: Int) -> URL { directory.appendingPathComponent("\(fingerprint)-slot-\(i).kvc") }

    /// Fills each slot whose file exists; a refused file is reported and left to be overwritten.
    func restore(into stepper: BatchStepper<GenerationTicket>) {
        for i in 0 ..< stepper.width where FileManager.default.fileExists(atPath: file(slot: i).path) {
            let cache = PromptCache(state: engine.makeState())
            do {
                let tokens = try PromptCacheFile.restore(cache, engine: engine, from: file(slot: i))
                stepper.install(cache, slot: i)
                savedAt[i] = stepper.slot(i).lastUsed
                note("prompt cache: slot \(i) restored, \(tokens) tokens, from \(file(slot: i).path)")
            } catch {
                note("warning: \(error.localizedDescription)")
            }
        }
    }

    /// Writes every free slot whose cache changed since it was last written or read.
    func saveChanged(from stepper: BatchStepper<GenerationTicket>) {
        for i in 0 ..< stepper.width {
            let s = stepper.slot(i)
            guard let cache = s.cache, !s.isBusy, savedAt[i] != s.lastUsed else { continue }
            savedAt[i] = s.lastUsed
            do { try PromptCacheFile.save(cache, engine: engine, to: file(slot: i)) } catch {
                note("warning: \(error.localizedDescription)")
            }
        }
    }
}
