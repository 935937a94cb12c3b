import Testing
@testable import KingletDistill

/// `--shard i/n`: parsing, its typed errors, and the round-robin split.
@Suite struct ShardSpecTests {
    @Test(arguments: [("0/1", 0, 1), ("0/3", 0, 3), ("2/3", 2, 3), ("41/100", 41, 100)])
    func parses(text: String, index: Int, count: Int) throws {
        let s = try ShardSpec(parsing: text)
        #expect(s.index == index && s.count == count && s.description == text)
    }

    @Test(arguments: ["3/3", "1/0", "0/0", "-1/3", "1", "1/2/3", "a/b", " 1/3", "1/3 ", "/3", "1/", "", "1/1000000"])
    func refuses(text: String) {
        #expect(throws: ShardError.self) { try ShardSpec(parsing: text) }
        do { _ = try ShardSpec(parsing: text) } catch {
            guard case .invalidSpec(let t, _) = error else { Issue.record("wrong case \(error)"); return }
            #expect(t == text || text.isEmpty == false)
            #expect(error.errorDescription?.contains("numbered from 0") == true, "the message says how shards are numbered")
        }
    }

    @Test func indexOutOfRangeSaysWhichRange() {
        do { _ = try ShardSpec(index: 3, count: 3) } catch {
            #expect(error == .invalidSpec("3/3", reason: "the index must be between 0 and 2 (shards are numbered from 0)"))
        }
    }

    @Test func shardsAreDisjointAndCoverTheList() throws {
        for n in 1 ... 7 {
            for total in 0 ... 23 {
                let list = Array(0 ..< total)
                let parts = try (0 ..< n).map { try ShardSpec(index: $0, count: n) }
                let picked = parts.map { $0.select(list) }
                #expect(picked.flatMap { $0 }.sorted() == list, "n \(n), total \(total): every item once")
                for (s, p) in zip(parts, picked) {
                    #expect(p.count == s.share(of: total))
                    #expect(p.allSatisfy { s.owns(position: $0) })
                    #expect(p == p.sorted(), "list order kept")
                }
                #expect(ShardMerge.interleave(picked) == list, "interleaving the parts gives the list back")
            }
        }
    }
}
