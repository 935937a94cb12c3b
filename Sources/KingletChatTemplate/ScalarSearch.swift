/// Substring search on Unicode scalars in linear time (Knuth–Morris–Pratt), for `in`, `find`,
/// `count`, `replace`, `split` and `partition`: a hostile 16 MiB haystack and needle cost
/// O(n + m), never the O(n·m) of a naive scan.
struct ScalarSearch {
    let needle: [Unicode.Scalar]
    /// `failure[i]`: length of the longest proper prefix of `needle[...i]` that is also its suffix.
    private let failure: [Int]

    init(_ needle: String) {
        self.init(Array(needle.unicodeScalars))
    }

    init(_ needle: [Unicode.Scalar]) {
        self.needle = needle
        var failure = [Int](repeating: 0, count: needle.count)
        var k = 0
        for i in needle.indices.dropFirst() {
            while k > 0 && needle[i] != needle[k] { k = failure[k - 1] }
            if needle[i] == needle[k] { k += 1 }
            failure[i] = k
        }
        self.failure = failure
    }

    /// Start offsets of non-overlapping occurrences, left to right, from `start`; stops after
    /// `limit` of them. An empty needle matches nowhere here (callers give it Python's meaning).
    func occurrences(in haystack: [Unicode.Scalar], from start: Int = 0, limit: Int = .max) -> [Int] {
        var found: [Int] = []
        guard !needle.isEmpty, limit > 0 else { return found }
        var k = 0
        var i = start
        while i < haystack.count {
            while k > 0 && haystack[i] != needle[k] { k = failure[k - 1] }
            if haystack[i] == needle[k] { k += 1 }
            if k == needle.count {
                found.append(i + 1 - k)
                if found.count == limit { break }
                k = 0  // non-overlapping: start afresh after a match
            }
            i += 1
        }
        return found
    }

    /// Offset of the first occurrence at or after `start`; an empty needle is found at `start`.
    func first(in haystack: [Unicode.Scalar], from start: Int = 0) -> Int? {
        if needle.isEmpty { return start <= haystack.count ? start : nil }
        return occurrences(in: haystack, from: start, limit: 1).first
    }

    /// Offset of the last occurrence; an empty needle is found at the end.
    func last(in haystack: [Unicode.Scalar]) -> Int? {
        if needle.isEmpty { return haystack.count }
        let reversed = ScalarSearch(needle.reversed())
        guard let r = reversed.first(in: haystack.reversed()) else { return nil }
        return haystack.count - r - needle.count
    }
}
