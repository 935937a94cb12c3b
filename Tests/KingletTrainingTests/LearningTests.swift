import Foundation
import KingletArchitectures
import KingletGGUF
import Testing
@testable import KingletTraining

/// A fully learnable token language: documents [BOS, s, s+d, s+2d, …] (mod 16) of 16 tokens with
/// s uniform over 16 values and d over 3. Only s and d are random, so on windows that start at a
/// document boundary the loss floor per token is (ln 16 + ln 3) / 16 ≈ 0.242 nats.
enum CountingLanguage {
    static let vocabulary = 17      // 0 = BOS, 1...16 numbers
    static let documentLength = 16
    static let floor = (log(16.0) + log(3.0)) / 16

    static func stream(documents: Int, seed: UInt64) -> [Int32] {
        var rng = SplitMix64(state: seed)
        var out: [Int32] = []
        for _ in 0 ..< documents {
            let s = Int(rng.next() % 16), d = 1 + Int(rng.next() % 3)
            out.append(0)
            for k in 0 ..< documentLength - 1 { out.append(Int32(1 + (s + k * d) % 16)) }
        }
        return out
    }
}

/// `ArraySource`'s batches behind an xoshiro256** state (four words), as the shard sampler keeps.
final class XoshiroStateSource: BatchSource {
    let inner: ArraySource
    private var rng = Xoshiro256StarStar(seed: 1)
    init(_ inner: ArraySource) { self.inner = inner }
    var state: [UInt64] { rng.state }
    func restore(state: [UInt64]) throws { rng = try Xoshiro256StarStar(state: state) }
    func next() -> TrainingBatch { inner.next() }
}

/// Random contiguous windows over an in-memory token array (the test double of the shard sampler).
final class ArraySource: BatchSource {
    let tokens: [Int32]
    let batch: Int, length: Int
    var rng: SplitMix64
    var drawn = 0

    init(tokens: [Int32], batch: Int, length: Int, seed: UInt64) {
        self.tokens = tokens
        self.batch = batch
        self.length = length
        rng = SplitMix64(state: seed)
    }

    struct BadState: Error {}
    var state: [UInt64] { [rng.state] }

    func restore(state: [UInt64]) throws {
        guard state.count == 1 else { throw BadState() }
        rng.state = state[0]
    }

    func next() -> TrainingBatch {
        drawn += 1
        return Self.window(tokens, starts: (0 ..< batch).map { _ in Int(rng.next() % UInt64(tokens.count - length - 1)) }, length: length)
    }

    static func window(_ tokens: [Int32], starts: [Int], length: Int) -> TrainingBatch {
        var inputs: [Int32] = [], targets: [Int32] = []
        for s in starts {
            inputs += tokens[s ..< s + length]
            targets += tokens[s + 1 ... s + length]
        }
        let n = starts.count * length
        return TrainingBatch(batch: starts.count, length: length, inputs: inputs, targets: targets,
                             weights: [Float](repeating: 1 / Float(n), count: n))
    }

    /// Windows that start at document boundaries, where the floor is exact.
    static func validation(_ tokens: [Int32], batches: Int, batch: Int, length: Int, align: Int) -> [TrainingBatch] {
        let docs = (tokens.count - length - 1) / align
        return (0 ..< batches).map { b in
            window(tokens, starts: (0 ..< batch).map { (b * batch + $0) * docs / (batches * batch) * align }, length: length)
        }
    }
}

@Suite struct LearningTests {
    static let shape = ModelShape(dim: 64, layers: 2, heads: 4, kvHeads: 2, ffn: 128)

    static func settings(steps: Int) -> TrainSettings {
        var s = TrainSettings(steps: steps, batch: 8, length: 32, preset: "custom", shape: shape)
        s.learningRate = 3e-3
        s.warmup = 20
        s.evalEvery = 50
        s.checkpointEvery = 0
        s.adam.weightDecay = 0.01
        s.seed = 7
        return s
    }

    static func trainer(_ s: TrainSettings, dir: URL) throws -> (Trainer, ArraySource) {
        let config = s.shape.config(vocabularySize: CountingLanguage.vocabulary, contextLength: s.length)
        let model = TrainableLlama(config: config, seed: s.seed, pool: nil)
        let source = ArraySource(tokens: CountingLanguage.stream(documents: 4000, seed: 1), batch: s.batch, length: s.length, seed: s.seed)
        let val = ArraySource.validation(CountingLanguage.stream(documents: 200, seed: 2), batches: 4, batch: 8, length: s.length,
                                         align: CountingLanguage.documentLength)
        let t = try Trainer(model: model, settings: s, source: source, validation: val, directory: dir,
                        tokenizerMetadata: [], runName: "test")
        t.log = { _ in }
        return (t, source)
    }

    static func tempDir() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-train-\(UUID().uuidString)")
    }

    @Test func learnsTheCountingLanguageToItsFloor() throws {
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (t, _) = try Self.trainer(Self.settings(steps: 800), dir: dir)
        let first = CrossEntropyObjective().evaluate(t.model, t.validation)["val_loss"]!
        let summary = try t.run(resume: false)
        let val = summary.validation["val_loss"]!
        print("counting language: val loss \(first) → \(val) (floor \(CountingLanguage.floor)) in \(summary.steps) steps")
        #expect(first > 2.5)
        #expect(val < CountingLanguage.floor + 0.1)
    }

    /// A checkpoint whose sampler state the batch source cannot take (a damaged file, or one a
    /// run with another kind of source wrote) stops the resume with the checkpoint named; it never
    /// goes on silently with other batches.
    @Test func aSamplerStateTheSourceRefusesStopsTheResume() throws {
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var s = Self.settings(steps: 3)
        let (first, _) = try Self.trainer(s, dir: dir)
        _ = try first.run(resume: false)  // its checkpoint holds ArraySource's one-word state
        s.steps = 6
        let (second, source) = try Self.trainer(s, dir: dir)
        let resumed = try Trainer(model: second.model, settings: s, source: XoshiroStateSource(source), validation: second.validation,
                                  directory: dir, tokenizerMetadata: [], runName: "test")
        resumed.log = { _ in }
        do {
            _ = try resumed.run(resume: true)
            Issue.record("a sampler state of the wrong size was taken")
        } catch let CheckpointError.unreadable(path, reason) {
            #expect(path == resumed.checkpointURL.path)
            #expect(reason.contains("sampler") && reason.contains("expected 4 state words, got 1"), "\(reason)")
        }
        #expect(source.drawn == 0, "no batch was drawn")
    }

    /// A checkpoint whose sampler state is not all unsigned 64-bit words (a damaged or hand-made
    /// file) is refused by name when read; it was read as the words that happened to fit.
    @Test func aSamplerStateOfAnotherTypeIsRefused() throws {
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (first, _) = try Self.trainer(Self.settings(steps: 2), dir: dir)
        _ = try first.run(resume: false)
        let path = first.checkpointURL.path
        let source = try GGUFFile(path: path)
        var w = GGUFWriter()
        for key in source.metadataKeys {
            w.set(key, key == "kinglet.train.sampler_state" ? .array(.int64, [.int64(5)]) : source.metadata[key]!.decoded)
        }
        for info in source.tensorInfos {
            w.addTensor(info.name, dims: info.dims, type: info.type, bytes: Array(try source.tensor(info.name).data))
        }
        let damaged = dir.appendingPathComponent("damaged.gguf").path
        try w.write(to: damaged)
        _ = try TrainingCheckpoint.read(URL(fileURLWithPath: path))  // the original reads
        do {
            _ = try TrainingCheckpoint.read(URL(fileURLWithPath: damaged))
            Issue.record("a sampler state of int64 values was read")
        } catch let CheckpointError.missing(p, what) {
            #expect(p == damaged && what.contains("sampler_state") && what.contains("unsigned 64-bit"), "\(what)")
        }
    }

    /// 2N steps straight equal N steps, a stop (checkpoint), and a resume for N more: bit for bit.
    @Test func resumeReproducesTheUninterruptedRun() throws {
        let n = 30
        let a = Self.tempDir(), b = Self.tempDir()
        defer { try? FileManager.default.removeItem(at: a); try? FileManager.default.removeItem(at: b) }
        var s = Self.settings(steps: 2 * n)
        s.evalEvery = 10
        let (straight, _) = try Self.trainer(s, dir: a)
        let full = try straight.run(resume: false)

        let (first, source) = try Self.trainer(s, dir: b)
        first.shouldStop = { source.drawn >= n }
        let half = try first.run(resume: false)
        #expect(half.interrupted && half.steps == n)
        let (second, _) = try Self.trainer(s, dir: b)
        let resumed = try second.run(resume: true)
        #expect(resumed.steps == 2 * n)
        #expect(resumed.finalLoss.bitPattern == full.finalLoss.bitPattern)
        let w1 = straight.model.withParameters(Array.init), w2 = second.model.withParameters(Array.init)
        #expect(w1.map(\.bitPattern) == w2.map(\.bitPattern))
        func losses(_ dir: URL) throws -> [String] {
            try String(contentsOf: dir.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n").compactMap { line in
                let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                return o["type"] as? String == "train" ? "\(o["step"]!) \(o["loss"]!)" : "\(o["step"]!) val \(o["val_loss"]!)"
            }
        }
        #expect(try losses(a) == losses(b))
    }

    /// Same seed, different thread counts: the same numbers (reductions do not depend on threads).
    @Test func threadCountDoesNotChangeTheNumbers() throws {
        let config = Self.shape.config(vocabularySize: CountingLanguage.vocabulary, contextLength: 32)
        let tokens = CountingLanguage.stream(documents: 100, seed: 3)
        let batch = ArraySource.window(tokens, starts: [0, 100, 200, 300], length: 32)
        var grads: [[UInt32]] = []
        for threads in [1, 2, 3] {
            let m = TrainableLlama(config: config, seed: 5, pool: threads == 1 ? nil : KingletKernels.ThreadPool(threads: threads))
            m.zeroGradients()
            m.trainStep(batch)
            grads.append(Array(UnsafeBufferPointer(start: m.gradients.pointer, count: m.layout.count)).map(\.bitPattern))
        }
        #expect(grads[0] == grads[1])
        #expect(grads[0] == grads[2])
    }
}

import KingletKernels
