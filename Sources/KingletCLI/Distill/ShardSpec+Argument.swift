import ArgumentParser
import KingletDistill

extension ShardSpec {
    /// `--shard I/N`, with the library's reason when the value is not a shard.
    static func flag(_ text: String) throws -> ShardSpec {
        do { return try ShardSpec(parsing: text) } catch {
            throw ValidationError(error.errorDescription ?? "\(error)")
        }
    }
}
