/// One part of a job split across machines: shard `index` of `count`, 0-based, written `i/n`
/// (`0/3`, `1/3`, `2/3`). 0-based as Kubernetes' `JOB_COMPLETION_INDEX` and a Slurm array
/// declared `--array=0-(n-1)` number their tasks.
///
/// A shard owns every item whose position in the job's ordered work list is `index` modulo
/// `count` (round robin): deterministic, disjoint, and the n shards together cover the list.
/// Round robin rather than contiguous blocks keeps the shards' sizes within one of each other
/// and lets a merge put the list back in order without reading it again: item j of the whole
/// list is item j / n of shard j mod n.
public struct ShardSpec: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    /// 0 ..< count.
    public let index: Int
    /// The number of shards, ≥ 1.
    public let count: Int

    /// The most shards a job may be split into.
    public static let maximumCount = 100_000

    /// Shard `index` of `count`; throws when the pair is out of range.
    public init(index: Int, count: Int) throws(ShardError) {
        guard count >= 1, count <= Self.maximumCount else {
            throw .invalidSpec("\(index)/\(count)", reason: "the shard count must be between 1 and \(Self.maximumCount)")
        }
        guard index >= 0, index < count else {
            throw .invalidSpec("\(index)/\(count)", reason: "the index must be between 0 and \(count - 1) (shards are numbered from 0)")
        }
        self.index = index
        self.count = count
    }

    /// Parses `i/n` (decimal, 0 ≤ i < n).
    public init(parsing text: String) throws(ShardError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Self.number(parts[0]), let n = Self.number(parts[1]) else {
            throw .invalidSpec(text, reason: "expected INDEX/COUNT such as 0/4")
        }
        try self.init(index: i, count: n)
    }

    /// Decodes `{"index": i, "count": n}` with the same checks as `init(index:count:)`.
    public init(from decoder: Decoder) throws {
        enum Keys: String, CodingKey { case index, count }
        let c = try decoder.container(keyedBy: Keys.self)
        try self.init(index: c.decode(Int.self, forKey: .index), count: c.decode(Int.self, forKey: .count))
    }

    private static func number(_ s: Substring) -> Int? {
        guard !s.isEmpty, s.count <= 9, s.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(s)
    }

    public var description: String { "\(index)/\(count)" }

    /// Whether the item at `position` of the whole list belongs to this shard.
    public func owns(position: Int) -> Bool { position % count == index }

    /// This shard's items of `list`, in list order.
    public func select<T>(_ list: [T]) -> [T] {
        stride(from: index, to: list.count, by: count).map { list[$0] }
    }

    /// How many items of a list of `total` this shard owns.
    public func share(of total: Int) -> Int {
        total > index ? (total - index + count - 1) / count : 0
    }
}
