import KingletKernels
/// Draws the training batches: B random contiguous windows of T+1 tokens from a shard (inputs are
/// the first T, targets the last T), from a seeded `Xoshiro256StarStar` whose state a checkpoint
/// saves so a resumed run draws exactly the windows it would have drawn.
public struct WindowSampler: Sendable {
    /// The shard windows are drawn from.
    public let shard: TokenShard
    private var rng: Xoshiro256StarStar

    /// A sampler over `shard` whose generator is seeded with `seed`.
    public init(shard: TokenShard, seed: UInt64) {
        self.shard = shard
        rng = Xoshiro256StarStar(seed: seed)
    }

    /// The generator's state (save it in a checkpoint).
    public var state: [UInt64] { rng.state }

    /// Continues from a state saved from `state`.
    public mutating func restore(state: [UInt64]) throws(TokenDataError) {
        rng = try Xoshiro256StarStar(state: state)
    }

    /// The start of one random window of `length` tokens, uniform over every possible start.
    public mutating func nextStart(length: Int) throws(TokenDataError) -> Int {
        guard length >= 1, length <= shard.count else {
            throw .shardTooShort(path: shard.path, tokens: shard.count, needed: length)
        }
        return Int(rng.next(below: UInt64(shard.count - length + 1)))
    }

    /// Fills `destination` ([rows, length] Int32, row-major) with `rows` random windows; use
    /// `length` = T + 1 for T positions of next-token targets.
    public mutating func nextBatch(rows: Int, length: Int, into destination: UnsafeMutablePointer<Int32>) throws(TokenDataError) {
        precondition(rows >= 0, "negative row count")
        for r in 0 ..< rows {
            let start = try nextStart(length: length)
            shard.copyTokens(from: start, count: length, into: destination + r * length)
        }
    }

    /// `count` window starts spread evenly over `shard` (the first at 0, the last ending at the
    /// shard's end): a fixed, non-random set, so validation loss compares across steps and runs.
    /// Fewer are returned when the shard has fewer distinct starts than `count`.
    public static func validationWindows(in shard: TokenShard, count: Int, length: Int) throws(TokenDataError) -> [Int] {
        guard length >= 1, length <= shard.count else {
            throw .shardTooShort(path: shard.path, tokens: shard.count, needed: length)
        }
        let last = shard.count - length           // the largest start
        let n = min(max(count, 0), last + 1)
        guard n > 1 else { return n == 1 ? [0] : [] }
        return (0 ..< n).map { i in (n - 1).dividingFullWidth(i.multipliedFullWidth(by: last)).quotient }
    }

    /// `validationWindows(in: shard, ...)` for this sampler's shard.
    public func validationWindows(count: Int, length: Int) throws(TokenDataError) -> [Int] {
        try Self.validationWindows(in: shard, count: count, length: length)
    }
}
