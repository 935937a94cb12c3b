import Foundation

/// A small state file a pipeline keeps in a directory (plan.json, plan-seeds.json,
/// onpolicy-rounds.json): read back when it is there and readable, written with sorted keys,
/// indented, and replaced atomically so that a kill leaves the last whole one.
protocol SavedJSON: Codable {
    static func url(in dir: URL) -> URL
}

extension SavedJSON {
    /// The file in `dir`, nil when it is absent or unreadable.
    static func read(in dir: URL) -> Self? {
        guard let data = try? Data(contentsOf: url(in: dir)) else { return nil }
        return try? JSONDecoder().decode(Self.self, from: data)
    }

    /// Writes the file in `dir`.
    func write(in dir: URL) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        try e.encode(self).write(to: Self.url(in: dir), options: .atomic)
    }
}

extension DistillBudget: SavedJSON {}
extension SeedSteps: SavedJSON {}
extension OnPolicyRounds: SavedJSON {}
