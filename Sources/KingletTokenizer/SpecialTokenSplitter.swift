/// A piece of input after special tokens have been cut out: plain text (a byte range of the
/// input) or one special token.
enum TextFragment: Equatable {
    case text(Range<Int>)
    case token(Int32)
}

/// Cuts special tokens (control, user-defined, unknown) out of text before pre-tokenization,
/// as llama.cpp's `tokenizer_st_partition` does.
///
/// The order matters and is llama.cpp's: tokens are tried longest first, each over every
/// remaining text fragment, leftmost occurrence first. So with tokens "ab" and "bcd",
/// "abcd" becomes "a" + `bcd` (not `ab` + "cd"). Equal lengths go in id order (llama.cpp's sort
/// is unstable there). Tokens that occur nowhere in the input are skipped after one scan.
struct SpecialTokenSplitter: Sendable {
    private struct Entry: Sendable {
        let id: Int32
        let bytes: [UInt8]
        /// Control and unknown tokens are only cut out when parsing special tokens;
        /// user-defined ones always are.
        let needsParseSpecial: Bool
        let leftStrip: Bool
        let rightStrip: Bool
    }

    /// In llama.cpp's order: longest first, then by id.
    private let entries: [Entry]
    /// First two bytes → indices into `entries` (tokens of two or more bytes).
    private let byPrefix: [UInt16: [Int]]
    /// First byte → indices into `entries` (one-byte tokens).
    private let singleByte: [UInt8: [Int]]

    init(vocab: Vocabulary) {
        var list: [Entry] = []
        for (i, attr) in vocab.attributes.enumerated() where !attr.isDisjoint(with: .partitioned) {
            list.append(Entry(
                id: Int32(i), bytes: Array(vocab.index.bytes(of: i)),
                needsParseSpecial: !attr.isDisjoint(with: .hiddenUnlessSpecial),
                leftStrip: attr.contains(.leftStrip), rightStrip: attr.contains(.rightStrip)))
        }
        list.sort { $0.bytes.count != $1.bytes.count ? $0.bytes.count > $1.bytes.count : $0.id < $1.id }
        var byPrefix: [UInt16: [Int]] = [:]
        var singleByte: [UInt8: [Int]] = [:]
        for (k, e) in list.enumerated() {
            if e.bytes.count >= 2 {
                byPrefix[UInt16(e.bytes[0]) << 8 | UInt16(e.bytes[1]), default: []].append(k)
            } else {
                singleByte[e.bytes[0], default: []].append(k)
            }
        }
        entries = list
        self.byPrefix = byPrefix
        self.singleByte = singleByte
    }

    var isEmpty: Bool { entries.isEmpty }

    /// Splits `bytes` into text and special-token fragments. Empty input gives no fragments.
    /// A special token's text that starts at one of `literalAt` (byte offsets) stays text.
    func split(_ bytes: UnsafeBufferPointer<UInt8>, parseSpecial: Bool, literalAt: Set<Int> = []) -> [TextFragment] {
        guard !bytes.isEmpty else { return [] }
        var fragments: [TextFragment] = [.text(0 ..< bytes.count)]
        guard !entries.isEmpty else { return fragments }

        for k in occurringEntries(bytes) {
            let e = entries[k]
            if e.needsParseSpecial && !parseSpecial { continue }
            var next: [TextFragment] = []
            next.reserveCapacity(fragments.count + 2)
            for f in fragments {
                guard case .text(var rest) = f else { next.append(f); continue }
                var from = rest.lowerBound
                while let at = find(e.bytes, in: bytes, within: from ..< rest.upperBound) {
                    if literalAt.contains(at) { from = at + 1; continue }
                    var leftEnd = at
                    if e.leftStrip { while leftEnd > rest.lowerBound, isSpace(bytes[leftEnd - 1]) { leftEnd -= 1 } }
                    if leftEnd > rest.lowerBound { next.append(.text(rest.lowerBound ..< leftEnd)) }
                    next.append(.token(e.id))
                    var rightStart = at + e.bytes.count
                    if e.rightStrip { while rightStart < rest.upperBound, isSpace(bytes[rightStart]) { rightStart += 1 } }
                    rest = rightStart ..< rest.upperBound
                    from = rest.lowerBound
                }
                if !rest.isEmpty { next.append(.text(rest)) }
            }
            fragments = next
        }
        return fragments
    }

    /// The byte offset of every occurrence of every special token's text in `bytes` (overlapping
    /// ones included), ascending: where a text must be kept from becoming a special token.
    func occurrences(_ bytes: UnsafeBufferPointer<UInt8>) -> [Int] {
        var starts: [Int] = []
        let n = bytes.count
        for i in 0 ..< n {
            if singleByte[bytes[i]] != nil { starts.append(i); continue }
            guard i + 1 < n, let candidates = byPrefix[UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1])] else { continue }
            if candidates.contains(where: { entries[$0].bytes.count <= n - i && matches(entries[$0].bytes, bytes, at: i) }) {
                starts.append(i)
            }
        }
        return starts
    }

    /// Indices of the entries that occur somewhere in `bytes`, ascending (so in priority order).
    private func occurringEntries(_ bytes: UnsafeBufferPointer<UInt8>) -> [Int] {
        var found = Set<Int>()
        let n = bytes.count
        for i in 0 ..< n {
            if let singles = singleByte[bytes[i]] { found.formUnion(singles) }
            guard i + 1 < n, let candidates = byPrefix[UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1])] else { continue }
            for k in candidates where !found.contains(k) {
                let t = entries[k].bytes
                if t.count <= n - i, matches(t, bytes, at: i) { found.insert(k) }
            }
        }
        return found.sorted()
    }

    /// C's `isspace` in the C locale: space, \t, \n, \v, \f, \r.
    @inline(__always)
    private func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (0x09 ... 0x0D).contains(b) }

    @inline(__always)
    private func matches(_ t: [UInt8], _ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        for j in 0 ..< t.count where bytes[i + j] != t[j] { return false }
        return true
    }

    private func find(_ t: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, within r: Range<Int>) -> Int? {
        guard t.count <= r.count else { return nil }
        let first = t[0]
        var i = r.lowerBound
        let last = r.upperBound - t.count
        while i <= last {
            if bytes[i] == first, matches(t, bytes, at: i) { return i }
            i += 1
        }
        return nil
    }
}
