/// How values print: Python's `str()` for `{{ x }}`, `~` and `|string`, and `repr()` inside containers.
enum PythonFormat {
    /// Containers nest at most this deep when printed (a namespace can contain itself).
    static let maxDepth = 64

    static func str(_ value: Value) throws(FormatError) -> String {
        switch value {
        case .undefined: return ""
        case .string(let s), .markup(let s): return s
        default: return try repr(value, depth: 0)
        }
    }

    static func repr(_ value: Value, depth: Int) throws(FormatError) -> String {
        guard depth <= maxDepth else { throw .tooDeep }
        switch value {
        case .undefined: return ""
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .float(let d): return float(d)
        case .string(let s): return stringRepr(s)
        case .markup(let s): return "Markup(" + stringRepr(s) + ")"
        case .list(let items):
            return "[" + (try join(items, depth: depth)) + "]"
        case .tuple(let items):
            if items.count == 1 { return "(" + (try repr(items[0], depth: depth + 1)) + ",)" }
            return "(" + (try join(items, depth: depth)) + ")"
        case .dict(let d):
            return try dictRepr(d, depth: depth)
        case .iterator: return "<generator object>"
        case .namespace(let ns): return "<Namespace " + (try dictRepr(ns.attributes, depth: depth)) + ">"
        case .loop(let l): return "<LoopContext \(l.index0 + 1)/\(l.length)>"
        case .callable(let c): return "<function \(c.name)>"
        }
    }

    private static func join(_ items: [Value], depth: Int) throws(FormatError) -> String {
        var parts: [String] = []
        for item in items { parts.append(try repr(item, depth: depth + 1)) }
        return parts.joined(separator: ", ")
    }

    private static func dictRepr(_ d: ValueDict, depth: Int) throws(FormatError) -> String {
        var parts: [String] = []
        for (k, v) in d.items { parts.append((try repr(k.value, depth: depth + 1)) + ": " + (try repr(v, depth: depth + 1))) }
        return "{" + parts.joined(separator: ", ") + "}"
    }

    /// Python's `repr(str)`: single quotes unless the text has `'` and no `"`.
    static func stringRepr(_ s: String) -> String {
        let quote: Unicode.Scalar = (s.unicodeScalars.contains("'") && !s.unicodeScalars.contains("\"")) ? "\"" : "'"
        var out = String.UnicodeScalarView()
        out.append(quote)
        for c in s.unicodeScalars {
            switch c {
            case "\\": out.append(contentsOf: "\\\\".unicodeScalars)
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            case "\r": out.append(contentsOf: "\\r".unicodeScalars)
            case "\t": out.append(contentsOf: "\\t".unicodeScalars)
            default:
                if c == quote {
                    out.append("\\")
                    out.append(c)
                } else if isPrintable(c) {
                    out.append(c)
                } else {
                    out.append(contentsOf: escapeNonPrintable(c).unicodeScalars)
                }
            }
        }
        out.append(quote)
        return String(out)
    }

    /// Approximates Python's `str.isprintable()`: control, format, separator (other than
    /// the ASCII space), surrogate, private-use and unassigned characters are not printable.
    static func isPrintable(_ c: Unicode.Scalar) -> Bool {
        if c == " " { return true }
        switch c.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned,
             .lineSeparator, .paragraphSeparator, .spaceSeparator:
            return false
        default:
            return true
        }
    }

    private static func escapeNonPrintable(_ c: Unicode.Scalar) -> String {
        let hex = String(c.value, radix: 16)
        if c.value <= 0xFF { return "\\x" + String(repeating: "0", count: 2 - hex.count) + hex }
        if c.value <= 0xFFFF { return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex }
        return "\\U" + String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// Python's `repr(float)`: shortest round-trip digits, fixed notation for exponents in
    /// [-4, 16), otherwise `d.ddde+XX`; integral values keep `.0`.
    static func float(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        // Swift's description already has the shortest round-trip digits; only the layout differs.
        var text = "\(abs(d))"
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...])!
            text = String(text[..<e])
        }
        var digits = text.filter { $0 != "." }
        let pointPosition = (text.firstIndex(of: ".").map { text.distance(from: text.startIndex, to: $0) } ?? text.count)
        // value = 0.digits * 10^(pointPosition + exponent)
        var decimalExponent = pointPosition + exponent
        while digits.hasPrefix("0") && digits.count > 1 {
            digits.removeFirst()
            decimalExponent -= 1
        }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        let sciExponent = decimalExponent - 1
        let sign = d < 0 ? "-" : ""
        if sciExponent < -4 || sciExponent >= 16 {
            var mantissa = String(digits.first!)
            if digits.count > 1 { mantissa += "." + digits.dropFirst() }
            let expSign = sciExponent < 0 ? "-" : "+"
            let expDigits = String(abs(sciExponent))
            return sign + mantissa + "e" + expSign + (expDigits.count < 2 ? "0" : "") + expDigits
        }
        if decimalExponent <= 0 {
            return sign + "0." + String(repeating: "0", count: -decimalExponent) + digits
        }
        if digits.count <= decimalExponent {
            return sign + digits + String(repeating: "0", count: decimalExponent - digits.count) + ".0"
        }
        let cut = digits.index(digits.startIndex, offsetBy: decimalExponent)
        return sign + digits[..<cut] + "." + digits[cut...]
    }
}

/// Printing failed (a self-containing namespace); the evaluator adds the location.
enum FormatError: Error {
    case tooDeep
}
