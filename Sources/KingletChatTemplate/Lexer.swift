/// Splits a template into tokens exactly as jinja2's lexer does with `trim_blocks=True` and
/// `lstrip_blocks=True` (the Hugging Face configuration).
///
/// Works on Unicode scalars, as Python strings do. The rules it mirrors:
/// - newlines (`\r\n`, `\r`, `\n`) become `\n`, and one trailing newline is dropped;
/// - `{%-`/`{{-`/`{#-` strip all whitespace before the tag, `-%}`/`-}}`/`-#}` all whitespace after;
/// - trim_blocks: the first newline after `%}` or `#}` is removed;
/// - lstrip_blocks: spaces and tabs from the start of a line up to `{%` or `{#` are removed,
///   unless the tag opens with `{%+`;
/// - `{% raw %}...{% endraw %}` is copied verbatim.
struct Lexer {
    private let src: [Unicode.Scalar]
    private let lineStarts: [Int]
    private var pos = 0
    private var tokens: [Token] = []
    /// jinja2's `line_starting`: the previous match ended with a newline (or nothing was matched yet).
    private var lineStarting = true

    init(source: String) {
        src = Lexer.normalizeNewlines(source)
        var starts = [0]
        for (i, c) in src.enumerated() where c == "\n" { starts.append(i + 1) }
        lineStarts = starts
    }

    /// Tokenizes the whole template; the last token is `.eof`.
    static func tokenize(_ source: String) throws(TemplateError) -> [Token] {
        var lexer = Lexer(source: source)
        return try lexer.run()
    }

    private static func normalizeNewlines(_ source: String) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(source.unicodeScalars.count)
        var previousWasCR = false
        for c in source.unicodeScalars {
            if c == "\r" {
                out.append("\n")
                previousWasCR = true
                continue
            }
            if c == "\n" && previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = false
            out.append(c)
        }
        if out.last == "\n" { out.removeLast() }  // keep_trailing_newline=False
        return out
    }

    func location(_ offset: Int) -> SourceLocation {
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return SourceLocation(line: lo + 1, column: offset - lineStarts[lo] + 1)
    }

    private func at(_ i: Int) -> Unicode.Scalar? { i < src.count ? src[i] : nil }

    private func matches(_ literal: String, at i: Int) -> Bool {
        var j = i
        for c in literal.unicodeScalars {
            guard j < src.count, src[j] == c else { return false }
            j += 1
        }
        return true
    }

    private func skipWhitespace(from i: Int) -> Int {
        var j = i
        while j < src.count, src[j].isPythonWhitespace { j += 1 }
        return j
    }

    private func string(_ range: Range<Int>) -> String {
        var s = String.UnicodeScalarView()
        s.append(contentsOf: src[range])
        return String(s)
    }

    private mutating func run() throws(TemplateError) -> [Token] {
        while pos < src.count {
            try lexRoot()
        }
        tokens.append(Token(kind: .eof, location: location(src.count)))
        return tokens
    }

    // MARK: - root state: template data up to the next tag

    private enum Opener { case variable, block, comment, raw(end: Int) }

    private mutating func lexRoot() throws(TemplateError) {
        var p = pos
        var opener: Opener?
        while p + 1 < src.count {
            if src[p] == "{" {
                let next = src[p + 1]
                if next == "%" {
                    if let end = rawBeginEnd(at: p) { opener = .raw(end: end) } else { opener = .block }
                    break
                }
                if next == "{" { opener = .variable; break }
                if next == "#" { opener = .comment; break }
            }
            p += 1
        }
        guard let opener else {
            emitData(pos..<src.count, location: pos)
            pos = src.count
            return
        }
        let sign = at(p + 2)
        let isVariable: Bool
        if case .variable = opener { isVariable = true } else { isVariable = false }
        emitControlledText(pos..<p, sign: sign, isVariable: isVariable)
        let signWidth = (sign == "-" || sign == "+") ? 1 : 0
        lineStarting = false
        switch opener {
        case .variable:
            tokens.append(Token(kind: .variableBegin, location: location(p)))
            pos = p + 2 + signWidth
            try lexTag(endMarker: "}}", endKind: .variableEnd)
        case .block:
            tokens.append(Token(kind: .blockBegin, location: location(p)))
            pos = p + 2 + signWidth
            try lexTag(endMarker: "%}", endKind: .blockEnd)
        case .comment:
            pos = p + 2 + signWidth
            try skipComment(start: p)
        case .raw(let end):
            lineStarting = src[end - 1] == "\n"
            pos = end
            try lexRaw(start: p)
        }
    }

    /// Applies `-`/`+` whitespace control and lstrip_blocks to the text before a tag, then emits it.
    private mutating func emitControlledText(_ range: Range<Int>, sign: Unicode.Scalar?, isVariable: Bool) {
        var end = range.upperBound
        if sign == "-" {
            while end > range.lowerBound, src[end - 1].isPythonWhitespace { end -= 1 }
        } else if sign != "+" && !isVariable {
            var lineStart = range.lowerBound
            if let nl = src[range].lastIndex(of: "\n") { lineStart = nl + 1 }
            if lineStart > range.lowerBound || lineStarting {
                let tail = src[lineStart..<range.upperBound]
                if !tail.isEmpty && tail.allSatisfy({ $0.isPythonWhitespace }) { end = lineStart }
            }
        }
        emitData(range.lowerBound..<end, location: range.lowerBound)
    }

    private mutating func emitData(_ range: Range<Int>, location offset: Int) {
        guard !range.isEmpty else { return }
        tokens.append(Token(kind: .data(string(range)), location: location(offset)))
    }

    // MARK: - comments and raw blocks

    private mutating func skipComment(start: Int) throws(TemplateError) {
        var q = pos
        while q < src.count {
            if (src[q] == "+" || src[q] == "-") && matches("#}", at: q + 1) {
                pos = src[q] == "-" ? skipWhitespace(from: q + 3) : q + 3
                lineStarting = pos > 0 && src[pos - 1] == "\n"
                return
            }
            if matches("#}", at: q) {
                pos = q + 2
                if at(pos) == "\n" { pos += 1 }  // trim_blocks
                lineStarting = src[pos - 1] == "\n"
                return
            }
            q += 1
        }
        throw .syntax("Missing end of comment tag", at: location(start))
    }

    /// If a `{% raw %}` tag starts at `p`, the offset just past it.
    private func rawBeginEnd(at p: Int) -> Int? {
        var j = p + 2
        if at(j) == "-" || at(j) == "+" { j += 1 }
        j = skipWhitespace(from: j)
        guard matches("raw", at: j) else { return nil }
        j = skipWhitespace(from: j + 3)
        if matches("-%}", at: j) { return skipWhitespace(from: j + 3) }
        if matches("%}", at: j) { return j + 2 }
        return nil
    }

    private mutating func lexRaw(start: Int) throws(TemplateError) {
        var q = pos
        while q + 1 < src.count {
            if src[q] == "{" && src[q + 1] == "%" {
                var j = q + 2
                let sign = at(j)
                if sign == "-" || sign == "+" { j += 1 }
                j = skipWhitespace(from: j)
                if matches("endraw", at: j) {
                    j = skipWhitespace(from: j + 6)
                    var end: Int?
                    if matches("+%}", at: j) {
                        end = j + 3
                    } else if matches("-%}", at: j) {
                        end = skipWhitespace(from: j + 3)
                    } else if matches("%}", at: j) {
                        end = at(j + 2) == "\n" ? j + 3 : j + 2
                    }
                    if let end {
                        emitControlledText(pos..<q, sign: sign, isVariable: false)
                        pos = end
                        lineStarting = src[end - 1] == "\n"
                        return
                    }
                }
            }
            q += 1
        }
        throw .syntax("Missing end of raw directive", at: location(start))
    }

    // MARK: - inside {{ }} and {% %}

    private mutating func lexTag(endMarker: String, endKind: Token.Kind) throws(TemplateError) {
        var balance: [Unicode.Scalar] = []
        let isBlock = endKind == .blockEnd
        while pos < src.count {
            if balance.isEmpty, let end = tagEnd(endMarker, isBlock: isBlock) {
                tokens.append(Token(kind: endKind, location: location(pos)))
                lineStarting = src[end - 1] == "\n"
                pos = end
                return
            }
            let c = src[pos]
            if c.isPythonWhitespace {
                pos = skipWhitespace(from: pos)
                continue
            }
            let start = pos
            var scanner = TagScanner(src: src, pos: pos)
            guard let kind = try scanner.next(location: location(start)) else {
                throw .syntax("unexpected char '\(Character(c))' at \(start)", at: location(start))
            }
            pos = scanner.pos
            if case .op(let o) = kind {
                switch o {
                case "(": balance.append(")")
                case "[": balance.append("]")
                case "{": balance.append("}")
                case ")", "]", "}":
                    guard let expected = balance.popLast() else {
                        throw .syntax("unexpected '\(o)'", at: location(start))
                    }
                    if String(Character(expected)) != o {
                        throw .syntax("unexpected '\(o)', expected '\(Character(expected))'", at: location(start))
                    }
                default: break
                }
            }
            tokens.append(Token(kind: kind, location: location(start)))
        }
    }

    /// If the tag's end (`-%}`, `+%}`, `%}` and their `}}` forms) starts at `pos`, the offset past it,
    /// including the whitespace a `-` strips and the newline trim_blocks removes after `%}`.
    private func tagEnd(_ marker: String, isBlock: Bool) -> Int? {
        if matches("-" + marker, at: pos) { return skipWhitespace(from: pos + 3) }
        if isBlock && matches("+" + marker, at: pos) { return pos + 3 }
        if matches(marker, at: pos) {
            if isBlock && at(pos + 2) == "\n" { return pos + 3 }
            return pos + 2
        }
        return nil
    }
}

extension Unicode.Scalar {
    /// Python's `str.isspace()` / regex `\s` for str patterns.
    var isPythonWhitespace: Bool {
        switch value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }
}
