/// A set of bytes, as a 256-bit bitmap.
struct ByteSet: Sendable, Hashable {
    var w0: UInt64 = 0, w1: UInt64 = 0, w2: UInt64 = 0, w3: UInt64 = 0

    init() {}

    init(_ range: ClosedRange<UInt8>) {
        for b in range { insert(b) }
    }

    @inline(__always) func contains(_ b: UInt8) -> Bool {
        let bit = UInt64(1) << UInt64(b & 63)
        switch b >> 6 {
        case 0: return w0 & bit != 0
        case 1: return w1 & bit != 0
        case 2: return w2 & bit != 0
        default: return w3 & bit != 0
        }
    }

    mutating func insert(_ b: UInt8) {
        let bit = UInt64(1) << UInt64(b & 63)
        switch b >> 6 {
        case 0: w0 |= bit
        case 1: w1 |= bit
        case 2: w2 |= bit
        default: w3 |= bit
        }
    }

    mutating func formUnion(_ o: ByteSet) {
        w0 |= o.w0; w1 |= o.w1; w2 |= o.w2; w3 |= o.w3
    }

    var isEmpty: Bool { w0 | w1 | w2 | w3 == 0 }
}

/// Turns a set of Unicode scalars into alternatives of byte-set sequences matching exactly their
/// UTF-8 encodings (the classic range-splitting construction), so matching runs byte by byte and a
/// token may end inside a multi-byte character.
enum UTF8Sequences {
    /// Alternatives, each a sequence of byte sets; sequences with equal tails are merged.
    static func alternatives(for set: CodePointSet) -> [[ByteSet]] {
        var pieces: [[ClosedRange<UInt8>]] = []
        for r in set.ranges { split(r.lowerBound, r.upperBound, into: &pieces) }
        // Merge sequences that differ only in their first byte range.
        var merged: [[ByteSet]] = []
        var byTail: [[ClosedRange<UInt8>]: Int] = [:]
        for p in pieces {
            let tail = Array(p.dropFirst())
            if let i = byTail[tail] {
                merged[i][0].formUnion(ByteSet(p[0]))
            } else {
                byTail[tail] = merged.count
                merged.append(p.map { ByteSet($0) })
            }
        }
        return merged
    }

    private static let lengthBounds: [UInt32] = [0x7F, 0x7FF, 0xFFFF, 0x10FFFF]

    private static func split(_ lo: UInt32, _ hi: UInt32, into out: inout [[ClosedRange<UInt8>]]) {
        // Same encoded length at both ends.
        for bound in lengthBounds.dropLast() where lo <= bound && hi > bound {
            split(lo, bound, into: &out)
            split(bound + 1, hi, into: &out)
            return
        }
        let n = encodedLength(lo)
        if n > 1 {
            for i in 1 ..< n {
                let m: UInt32 = (1 << (6 * UInt32(i))) - 1
                if lo & ~m != hi & ~m {
                    if lo & m != 0 {
                        split(lo, lo | m, into: &out)
                        split((lo | m) + 1, hi, into: &out)
                        return
                    }
                    if hi & m != m {
                        split(lo, (hi & ~m) - 1, into: &out)
                        split(hi & ~m, hi, into: &out)
                        return
                    }
                }
            }
        }
        let a = encode(lo), b = encode(hi)
        out.append((0 ..< n).map { a[$0] ... b[$0] })
    }

    static func encodedLength(_ c: UInt32) -> Int {
        c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4
    }

    /// The UTF-8 bytes of a scalar value (no validation of surrogates).
    static func encode(_ c: UInt32) -> [UInt8] {
        switch encodedLength(c) {
        case 1: return [UInt8(c)]
        case 2: return [UInt8(0xC0 | c >> 6), UInt8(0x80 | c & 0x3F)]
        case 3: return [UInt8(0xE0 | c >> 12), UInt8(0x80 | (c >> 6) & 0x3F), UInt8(0x80 | c & 0x3F)]
        default:
            return [UInt8(0xF0 | c >> 18), UInt8(0x80 | (c >> 12) & 0x3F), UInt8(0x80 | (c >> 6) & 0x3F), UInt8(0x80 | c & 0x3F)]
        }
    }
}
