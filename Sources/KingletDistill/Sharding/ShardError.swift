import Foundation

/// What can go wrong splitting a job into shards or merging them back, with where and what to do.
public enum ShardError: Error, LocalizedError, Sendable, Equatable {
    /// A shard written `i/n` that is not one.
    case invalidSpec(String, reason: String)
    /// A directory without a shard manifest (`shard.json`), or with one that cannot be read.
    case notAShard(path: String, reason: String)
    /// A directory already holds a shard of another job, or another shard of this one.
    case otherJob(path: String, field: String, expected: String, found: String)
    /// Two shards to merge disagree on something every shard of one job shares.
    case mismatch(path: String, field: String, expected: String, found: String)
    /// The same shard index given twice.
    case duplicateShard(index: Int, first: String, second: String)
    /// Shards of the job that were not given.
    case missingShards([Int], count: Int)
    /// An item claimed by two shards.
    case overlap(id: String, first: String, second: String)
    /// A shard that has not finished its part.
    case incomplete(path: String, shard: String, done: Int, of: Int)
    /// A shard's data holds an item outside its part.
    case foreignItem(path: String, id: String)
    /// The merge's output would overwrite something.
    case outputNotEmpty(path: String)
    /// The scores directory a scoring merge writes into changed since the shards read it.
    case baseChanged(path: String, expected: String, found: String)
    /// A file could not be read or written.
    case io(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case let .invalidSpec(text, reason):
            return "'\(text)' is not a shard: \(reason). A shard is INDEX/COUNT, numbered from 0: 0/3, 1/3 and 2/3 make one job."
        case let .notAShard(path, reason):
            return "\(path) is not a shard directory: \(reason). Merge the directories that the sharded runs wrote (each holds shard.json)."
        case let .otherJob(path, field, expected, found):
            return "\(path) holds a shard with \(field) \(found), but this run's is \(expected). "
                + "Give each shard of each job a directory of its own."
        case let .mismatch(path, field, expected, found):
            return "the shard in \(path) has \(field) \(found), the others \(expected): it belongs to another job. "
                + "Merge only the shards of one job (same teacher, prompts, settings and shard count)."
        case let .duplicateShard(index, first, second):
            return "shard \(index) is given twice (\(first) and \(second)). Give each shard once."
        case let .missingShards(indices, count):
            let list = indices.prefix(10).map(String.init).joined(separator: ", ") + (indices.count > 10 ? ", …" : "")
            return "shard(s) \(list) of \(count) are missing. A merge needs every shard of the job; run the missing ones first."
        case let .overlap(id, first, second):
            return "item \(id) is in both \(first) and \(second): the shards overlap. Rerun one of them in a fresh directory."
        case let .incomplete(path, shard, done, of):
            return "shard \(shard) in \(path) has finished \(done) of its \(of) items. Run it again to finish (it resumes), then merge."
        case let .foreignItem(path, id):
            return "\(path) holds item \(id), which is not part of its shard. The directory was reused; rerun the shard in a fresh one."
        case let .outputNotEmpty(path):
            return "\(path) already holds data. Merge into a new or empty directory."
        case let .baseChanged(path, expected, found):
            return "the scores in \(path) changed since the shards were scored (\(found) now, \(expected) then). "
                + "Score the shards again against the current directory."
        case let .io(path, reason):
            return "\(path): \(reason). Check the path and its permissions."
        }
    }
}
