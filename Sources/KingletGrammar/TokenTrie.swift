/// A model's vocabulary as a prefix tree of token byte strings, laid out in depth-first order so
/// a mask walk is a loop over arrays that skips a rejected subtree in one jump. Built once per
/// model and shared (immutable, `Sendable`).
///
/// Special tokens (control tokens and the like) and end-of-generation tokens are not in the tree:
/// they are never allowed as text. Empty tokens are never allowed either.
public struct TokenTrie: Sendable {
    /// Vocabulary size: masks have this many bits.
    public let vocabularySize: Int
    /// Tokens that end generation; allowed by a mask only where the grammar accepts.
    public let endOfGeneration: Set<Int32>
    /// Tokens never allowed as text (end-of-generation ones included).
    public let special: Set<Int32>

    /// The longest token's length in bytes (the tree's depth).
    public let maxTokenLength: Int
    /// Node `i`'s last byte (node 0 is the root: the empty prefix).
    let nodeByte: [UInt8]
    /// Node `i`'s depth (bytes from the root).
    let nodeDepth: [Int32]
    /// Node `i`'s parent (-1 for the root).
    let nodeParent: [Int32]
    /// The first node after node `i`'s subtree.
    let subtreeEnd: [Int32]
    /// Tokens whose bytes end at node `i`: `tokens[tokenStart[i] ..< tokenStart[i + 1]]`.
    let tokenStart: [Int32]
    let tokens: [Int32]
    private let storage: [UInt8]
    private let offsets: [Int32]

    /// - Parameters:
    ///   - vocabulary: each token's bytes, indexed by id.
    ///   - special: ids never allowed as text (control tokens).
    ///   - endOfGeneration: ids that stop generation; treated as special text-wise.
    public init(vocabulary: [[UInt8]], special: Set<Int32> = [], endOfGeneration: Set<Int32>) {
        vocabularySize = vocabulary.count
        self.endOfGeneration = endOfGeneration
        let excluded = special.union(endOfGeneration)
        self.special = excluded
        var storage: [UInt8] = [], offsets: [Int32] = [0]
        for v in vocabulary { storage += v; offsets.append(Int32(storage.count)) }
        self.storage = storage
        self.offsets = offsets

        let texts = vocabulary.indices.filter { !vocabulary[$0].isEmpty && !excluded.contains(Int32($0)) }
            .sorted { vocabulary[$0].lexicographicallyPrecedes(vocabulary[$1]) }
        var bytes: [UInt8] = [0], depth: [Int32] = [0], parents: [Int32] = [-1], starts: [Int32] = [], toks: [Int32] = []
        var tokenNode: [Int32] = []
        var path: [Int32] = [0]  // path[d] = node at depth d on the current branch
        var previous: [UInt8] = []
        for id in texts {
            let v = vocabulary[id]
            var common = 0
            while common < min(v.count, previous.count) && v[common] == previous[common] { common += 1 }
            path.removeSubrange((common + 1)...)
            for d in common ..< v.count {
                parents.append(path[d])
                path.append(Int32(bytes.count))
                bytes.append(v[d])
                depth.append(Int32(d + 1))
            }
            tokenNode.append(path[v.count])
            toks.append(Int32(id))
            previous = v
        }
        // Tokens are already grouped by node in node order; index them.
        starts = Array(repeating: 0, count: bytes.count + 1)
        for n in tokenNode { starts[Int(n) + 1] += 1 }
        for i in 0 ..< bytes.count { starts[i + 1] += starts[i] }
        var end = Array(repeating: Int32(bytes.count), count: bytes.count)
        var open: [Int32] = []
        for i in 0 ..< bytes.count {
            while let top = open.last, depth[Int(top)] >= depth[i] { end[Int(top)] = Int32(i); open.removeLast() }
            open.append(Int32(i))
        }
        nodeByte = bytes
        nodeDepth = depth
        nodeParent = parents
        maxTokenLength = Int(depth.max() ?? 0)
        subtreeEnd = end
        tokenStart = starts
        tokens = toks
    }

    /// Number of nodes, the root included.
    public var nodeCount: Int { nodeByte.count }

    /// The bytes of token `id` (empty for an unknown id).
    public func bytes(of id: Int32) -> ArraySlice<UInt8> {
        guard id >= 0, Int(id) < vocabularySize else { return [] }
        return storage[Int(offsets[Int(id)]) ..< Int(offsets[Int(id) + 1])]
    }

    /// Words in a mask bitset for this vocabulary.
    public var maskWordCount: Int { (vocabularySize + 63) / 64 }
}
