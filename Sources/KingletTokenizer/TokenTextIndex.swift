/// Token text (its UTF-8 bytes) → id, in three flat arrays: the texts concatenated, their offsets
/// and an open-addressing table of ids. For Gemma 3's 262,144 tokens it takes ~6 MB where a
/// `[String: Int32]` and a `[[UInt8]: Int32]` (one heap object per key) took ~25 MB, and a lookup
/// of a slice of a byte array allocates nothing.
///
/// A class, not a struct: as a struct of three arrays inside `Vocabulary`, the Swift 6.3 optimizer
/// produced code that corrupted the heap in `Tokenizer.init` (release builds only; `kinglet
/// tokenize` crashed in `SpecialTokenSplitter.init` on every model, the same code as a class runs
/// clean, and debug builds of both were fine).
final class TokenTextIndex: Sendable {
    private let bytes: [UInt8]    // every text's UTF-8, in id order
    private let offsets: [Int32]  // [count + 1]: text i is bytes[offsets[i] ..< offsets[i + 1]]
    private let slots: [Int32]    // [power of two ≥ 2·count]: an id, or -1 for an empty slot
    private let mask: Int

    /// For texts that appear more than once the highest id wins (llama.cpp overwrites in id order).
    init(texts: [String]) {
        var bytes: [UInt8] = []
        var offsets: [Int32] = [0]
        offsets.reserveCapacity(texts.count + 1)
        for t in texts {
            bytes.append(contentsOf: t.utf8)
            offsets.append(Int32(bytes.count))
        }
        var size = 16
        while size < 2 * texts.count { size *= 2 }
        var slots = [Int32](repeating: -1, count: size)
        let mask = size - 1
        for id in texts.indices {
            let text = bytes[Int(offsets[id]) ..< Int(offsets[id + 1])]
            var s = Self.hash(text) & mask
            while slots[s] >= 0 {
                let other = Int(slots[s])
                if text.elementsEqual(bytes[Int(offsets[other]) ..< Int(offsets[other + 1])]) { break }
                s = (s + 1) & mask
            }
            slots[s] = Int32(id)
        }
        self.bytes = bytes
        self.offsets = offsets
        self.slots = slots
        self.mask = mask
    }

    /// Token texts held.
    var count: Int { offsets.count - 1 }

    /// The UTF-8 bytes of token `id`'s text.
    func bytes(of id: Int) -> ArraySlice<UInt8> { bytes[Int(offsets[id]) ..< Int(offsets[id + 1])] }

    /// Token `id`'s text.
    func text(_ id: Int) -> String { String(decoding: bytes(of: id), as: UTF8.self) }

    /// The id of the token whose text is `key`.
    func id<Key: Collection<UInt8>>(_ key: Key) -> Int32? {
        var s = Self.hash(key) & mask
        while true {
            let id = Int(slots[s])
            if id < 0 { return nil }
            if key.elementsEqual(bytes[Int(offsets[id]) ..< Int(offsets[id + 1])]) { return Int32(id) }
            s = (s + 1) & mask
        }
    }

    func id(_ text: String) -> Int32? { id(text.utf8) }

    /// The id of the token whose text is `text[start ..< start + count]`.
    func id(_ text: [UInt8], _ start: Int, _ count: Int) -> Int32? { id(text[start ..< start + count]) }

    /// FNV-1a, 64-bit.
    private static func hash<Key: Collection<UInt8>>(_ key: Key) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in key { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }
}
