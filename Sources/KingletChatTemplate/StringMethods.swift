/// Python `str` behaviour on Unicode scalars (Python strings are code-point sequences, not
/// grapheme clusters): strip, split, replace, title-casing, and friends.
enum StringMethods {
    static func strip(_ s: String, chars: String?, left: Bool, right: Bool) -> String {
        let scalars = Array(s.unicodeScalars)
        let set = chars.map { Set($0.unicodeScalars) }
        func strippable(_ c: Unicode.Scalar) -> Bool { set?.contains(c) ?? c.isPythonWhitespace }
        var start = 0, end = scalars.count
        if left { while start < end, strippable(scalars[start]) { start += 1 } }
        if right { while end > start, strippable(scalars[end - 1]) { end -= 1 } }
        return String(String.UnicodeScalarView(scalars[start..<end]))
    }

    /// `str.split(sep, maxsplit)`; a nil separator splits on whitespace runs and drops empties.
    /// Nil when there would be more than `maxParts` parts (nothing past that is built).
    static func split(_ s: String, separator: String?, maxSplit: Int, maxParts: Int = .max) -> [String]? {
        let scalars = Array(s.unicodeScalars)
        var parts: [String] = []
        func text(_ r: Range<Int>) -> String { String(String.UnicodeScalarView(scalars[r])) }
        guard let separator else {
            var i = 0
            while i < scalars.count {
                while i < scalars.count, scalars[i].isPythonWhitespace { i += 1 }
                guard i < scalars.count else { break }
                if parts.count == maxParts { return nil }
                if maxSplit >= 0 && parts.count == maxSplit {
                    var end = scalars.count
                    while end > i, scalars[end - 1].isPythonWhitespace { end -= 1 }
                    parts.append(text(i..<end))
                    break
                }
                let start = i
                while i < scalars.count, !scalars[i].isPythonWhitespace { i += 1 }
                parts.append(text(start..<i))
            }
            return parts
        }
        let search = ScalarSearch(separator)
        let limit = maxSplit < 0 ? maxParts : min(maxSplit, maxParts)
        let cuts = search.occurrences(in: scalars, limit: limit)
        if cuts.count >= maxParts { return nil }
        var start = 0
        for cut in cuts {
            parts.append(text(start..<cut))
            start = cut + search.needle.count
        }
        parts.append(text(start..<scalars.count))
        return parts
    }

    /// `str.rsplit(sep, maxsplit)`.
    static func rsplit(_ s: String, separator: String?, maxSplit: Int, maxParts: Int = .max) -> [String]? {
        if maxSplit < 0 { return split(s, separator: separator, maxSplit: -1, maxParts: maxParts) }
        func reversed(_ t: String) -> String { String(String.UnicodeScalarView(t.unicodeScalars.reversed())) }
        return split(reversed(s), separator: separator.map(reversed), maxSplit: maxSplit, maxParts: maxParts)?
            .map(reversed).reversed()
    }

    /// Words as `str.split()` finds them, without building them (`wordcount`).
    static func wordCount(_ s: String) -> Int {
        var count = 0
        var inWord = false
        for c in s.unicodeScalars {
            let space = c.isPythonWhitespace
            if !space && !inWord { count += 1 }
            inWord = !space
        }
        return count
    }

    /// `str.splitlines(keepends)`; nil when there would be more than `maxParts` lines.
    static func splitLines(_ s: String, keepEnds: Bool, maxParts: Int = .max) -> [String]? {
        let scalars = Array(s.unicodeScalars)
        var lines: [String] = []
        var start = 0, i = 0
        func isBreak(_ c: Unicode.Scalar) -> Bool {
            switch c.value {
            case 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029: return true
            default: return false
            }
        }
        while i < scalars.count {
            if isBreak(scalars[i]) {
                if lines.count == maxParts { return nil }
                var end = i + 1
                if scalars[i] == "\r", end < scalars.count, scalars[end] == "\n" { end += 1 }
                lines.append(String(String.UnicodeScalarView(scalars[start..<(keepEnds ? end : i)])))
                start = end
                i = end
            } else {
                i += 1
            }
        }
        if start < scalars.count {
            if lines.count == maxParts { return nil }
            lines.append(String(String.UnicodeScalarView(scalars[start...])))
        }
        return lines
    }

    /// `str.replace(old, new, count)` (a negative count replaces all). Nil, with the size it
    /// would have, when the result would pass `maxBytes`; nothing that large is built.
    static func replace(_ s: String, _ old: String, _ new: String, count: Int, maxBytes: Int) -> (String?, bytes: Int) {
        let scalars = Array(s.unicodeScalars)
        let limit = count < 0 ? Int.max : count
        if old.isEmpty {
            // Python inserts `new` before every character and at the end.
            let inserts = min(scalars.count + 1, limit)
            let bytes = Renderer.size(s.utf8.count, plus: Renderer.size(inserts, times: new.utf8.count))
            guard bytes <= maxBytes else { return (nil, bytes) }
            var out = String.UnicodeScalarView()
            for (i, c) in scalars.enumerated() {
                if i < inserts { out.append(contentsOf: new.unicodeScalars) }
                out.append(c)
            }
            if inserts > scalars.count { out.append(contentsOf: new.unicodeScalars) }
            return (String(out), bytes)
        }
        let cuts = ScalarSearch(old).occurrences(in: scalars, limit: limit)
        let growth = new.utf8.count - old.utf8.count
        let bytes = Renderer.size(s.utf8.count, plus: Renderer.size(cuts.count, times: growth))
        guard bytes <= maxBytes else { return (nil, bytes) }
        var out = String.UnicodeScalarView()
        let oldCount = old.unicodeScalars.count
        var start = 0
        for cut in cuts {
            out.append(contentsOf: scalars[start..<cut])
            out.append(contentsOf: new.unicodeScalars)
            start = cut + oldCount
        }
        out.append(contentsOf: scalars[start...])
        return (String(out), bytes)
    }

    /// Python's `str.title()`: a cased character after an uncased one is upper-cased ("they'Re").
    static func pythonTitle(_ s: String) -> String {
        var out = ""
        var previousCased = false
        for c in s.unicodeScalars {
            let cased = c.properties.isLowercase || c.properties.isUppercase || c.properties.generalCategory == .titlecaseLetter
            if cased {
                out += previousCased ? String(c).lowercased() : String(c.properties.titlecaseMapping)
            } else {
                out.unicodeScalars.append(c)
            }
            previousCased = cased
        }
        return out
    }

    /// jinja2's `title` filter: words split on spaces, `-`, brackets; first letter upper, rest lower.
    static func jinjaTitle(_ s: String) -> String {
        var out = ""
        var atWordStart = true
        for c in s.unicodeScalars {
            let isSeparator = c.isPythonWhitespace || "-({[<".unicodeScalars.contains(c)
            if isSeparator {
                out.unicodeScalars.append(c)
                atWordStart = true
            } else if atWordStart {
                out += String(c).uppercased()
                atWordStart = false
            } else {
                out += String(c).lowercased()
            }
        }
        return out
    }

    /// `str.capitalize()`: first character title-cased, the rest lower-cased.
    static func capitalize(_ s: String) -> String {
        guard let first = s.unicodeScalars.first else { return s }
        return String(first.properties.titlecaseMapping) + String(String.UnicodeScalarView(s.unicodeScalars.dropFirst())).lowercased()
    }

    /// `str.center(width, fill)`; the caller checks the size first.
    static func center(_ s: String, width: Int, fill: Unicode.Scalar) -> String {
        let n = s.unicodeScalars.count
        guard width > n else { return s }
        let total = width - n
        // CPython: left = total/2 + (total & width & 1)
        let left = total / 2 + (total & width & 1)
        return String(repeating: String(fill), count: left) + s + String(repeating: String(fill), count: total - left)
    }

    static func escapeHTML(_ s: String) -> String { HTML.escape(s) }

    /// `str.find` / `str.rfind`: scalar offset of the first (last) occurrence, or -1.
    static func find(_ s: String, _ needle: String, reverse: Bool) -> Int {
        let h = Array(s.unicodeScalars)
        let search = ScalarSearch(needle)
        return (reverse ? search.last(in: h) : search.first(in: h)) ?? -1
    }

    /// `str.count(sub)`: non-overlapping occurrences; an empty needle counts the gaps.
    static func count(_ s: String, _ needle: String) -> Int {
        let h = Array(s.unicodeScalars)
        if needle.isEmpty { return h.count + 1 }
        return ScalarSearch(needle).occurrences(in: h).count
    }
}
