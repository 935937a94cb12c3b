import Foundation

/// Next-token batches from a token shard: B random windows of T + 1 tokens (inputs are the first
/// T, targets the last T), every position weighted 1/(B·T).
public final class TextBatchSource: BatchSource {
    private var sampler: WindowSampler
    public let batch: Int
    public let length: Int
    private var window: [Int32]

    public init(shard: TokenShard, batch: Int, length: Int, seed: UInt64) throws {
        guard shard.count > length + 1 else { throw TokenDataError.shardTooShort(path: shard.path, tokens: shard.count, needed: length + 2) }
        sampler = WindowSampler(shard: shard, seed: seed)
        self.batch = batch
        self.length = length
        window = [Int32](repeating: 0, count: batch * (length + 1))
    }

    public var state: [UInt64] { sampler.state }

    public func restore(state: [UInt64]) throws { try sampler.restore(state: state) }

    public func next() throws -> TrainingBatch {
        let (b, t) = (batch, length)
        try window.withUnsafeMutableBufferPointer { try sampler.nextBatch(rows: b, length: t + 1, into: $0.baseAddress!) }
        return Self.batch(window, rows: batch, length: length)
    }

    /// `batches` fixed batches of windows spread evenly over `shard` (the same every evaluation).
    public static func validation(shard: TokenShard, batches: Int, batch: Int, length: Int) throws -> [TrainingBatch] {
        let starts = try WindowSampler.validationWindows(in: shard, count: batches * batch, length: length + 1)
        return stride(from: 0, to: starts.count, by: batch).map { i in
            let rows = Array(starts[i ..< min(i + batch, starts.count)])
            var w: [Int32] = []
            for s in rows { w += shard.tokens(s ..< s + length + 1) }
            return Self.batch(w, rows: rows.count, length: length)
        }
    }

    static func batch(_ windows: [Int32], rows: Int, length: Int) -> TrainingBatch {
        var inputs = [Int32](), targets = [Int32]()
        inputs.reserveCapacity(rows * length)
        targets.reserveCapacity(rows * length)
        for r in 0 ..< rows {
            let w = windows[r * (length + 1) ..< (r + 1) * (length + 1)]
            inputs += w.dropLast()
            targets += w.dropFirst()
        }
        return TrainingBatch(batch: rows, length: length, inputs: inputs, targets: targets,
                             weights: [Float](repeating: 1 / Float(rows * length), count: rows * length))
    }
}
