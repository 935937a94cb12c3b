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
    static func split(_ s: String, separator: String?, maxSplit: Int) -> [String] {
        let scalars = Array(s.unicodeScalars)
        var parts: [String] = []
        func text(_ r: Range<Int>) -> String { String(String.UnicodeScalarView(scalars[r])) }
        guard let separator else {
            var i = 0
            while i < scalars.count {
                while i < scalars.count, scalars[i].isPythonWhitespace { i += 1 }
                guard i < scalars.count else { break }
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
        let sep = Array(separator.unicodeScalars)
        var start = 0, i = 0
        while i + sep.count <= scalars.count {
            if (maxSplit < 0 || parts.count < maxSplit) && scalars[i..<(i + sep.count)].elementsEqual(sep) {
                parts.append(text(start..<i))
                i += sep.count
                start = i
            } else {
                i += 1
            }
        }
        parts.append(text(start..<scalars.count))
        return parts
    }

    /// `str.rsplit(sep, maxsplit)`.
    static func rsplit(_ s: String, separator: String?, maxSplit: Int) -> [String] {
        if maxSplit < 0 { return split(s, separator: separator, maxSplit: -1) }
        func reversed(_ t: String) -> String { String(String.UnicodeScalarView(t.unicodeScalars.reversed())) }
        return split(reversed(s), separator: separator.map(reversed), maxSplit: maxSplit).map(reversed).reversed()
    }

    /// `str.splitlines(keepends)`.
    static func splitLines(_ s: String, keepEnds: Bool) -> [String] {
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
                var end = i + 1
                if scalars[i] == "\r", end < scalars.count, scalars[end] == "\n" { end += 1 }
                lines.append(String(String.UnicodeScalarView(scalars[start..<(keepEnds ? end : i)])))
                start = end
                i = end
            } else {
                i += 1
            }
        }
        if start < scalars.count { lines.append(String(String.UnicodeScalarView(scalars[start...]))) }
        return lines
    }

    static func replace(_ s: String, _ old: String, _ new: String, count: Int) -> String {
        let scalars = Array(s.unicodeScalars)
        let o = Array(old.unicodeScalars)
        var out = String.UnicodeScalarView()
        var done = 0
        if o.isEmpty {
            // Python inserts `new` before every character and at the end.
            for c in scalars {
                if count < 0 || done < count { out.append(contentsOf: new.unicodeScalars); done += 1 }
                out.append(c)
            }
            if count < 0 || done < count { out.append(contentsOf: new.unicodeScalars) }
            return String(out)
        }
        var i = 0
        while i < scalars.count {
            if (count < 0 || done < count), i + o.count <= scalars.count, scalars[i..<(i + o.count)].elementsEqual(o) {
                out.append(contentsOf: new.unicodeScalars)
                i += o.count
                done += 1
            } else {
                out.append(scalars[i])
                i += 1
            }
        }
        return String(out)
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

    static func center(_ s: String, width: Int, fill: Character) -> String {
        let n = s.unicodeScalars.count
        guard width > n else { return s }
        let total = width - n
        // CPython: left = total/2 + (total & width & 1)
        let left = total / 2 + (total & width & 1)
        return String(repeating: fill, count: left) + s + String(repeating: fill, count: total - left)
    }

    static func escapeHTML(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// `str.find`: scalar offset of the first occurrence, or -1.
    static func find(_ s: String, _ needle: String, reverse: Bool) -> Int {
        let h = Array(s.unicodeScalars), n = Array(needle.unicodeScalars)
        guard n.count <= h.count else { return -1 }
        let starts = Array(0...(h.count - n.count))
        for i in (reverse ? starts.reversed() : starts) where h[i..<(i + n.count)].elementsEqual(n) { return i }
        return -1
    }

    static func count(_ s: String, _ needle: String) -> Int {
        let h = Array(s.unicodeScalars), n = Array(needle.unicodeScalars)
        if n.isEmpty { return h.count + 1 }
        var i = 0, found = 0
        while i + n.count <= h.count {
            if h[i..<(i + n.count)].elementsEqual(n) { found += 1; i += n.count } else { i += 1 }
        }
        return found
    }
}
