import ArgumentParser
import KingletDistill

/// `--shard I/N`: a bad value is reported with the library's reason and the expected form.
extension ShardSpec: ExpressibleByArgument {
    public init?(argument: String) {
        guard let spec = try? ShardSpec(parsing: argument) else { return nil }
        self = spec
    }
}
