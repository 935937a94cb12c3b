/// How values print: Python's `str()` for `{{ x }}`, `~` and `|string`, and `repr()` inside containers.
enum PythonFormat {
    /// Containers nest at most this deep when printed (a namespace can contain itself).
    static let maxDepth = 64

    /// `str(value)`, failing with `.tooLong` past `maxBytes` (checked as it is written).
    static func str(_ value: Value, maxBytes: Int) throws(FormatError) -> String {
        switch value {
        case .undefined: return ""
        case .string(let s), .markup(let s): return s
        default: return try repr(value, maxBytes: maxBytes)
        }
    }

    /// `repr(value)`, failing with `.tooLong` past `maxBytes`: `[s] * 100000` never prints its
    /// terabyte before noticing.
    static func repr(_ value: Value, maxBytes: Int) throws(FormatError) -> String {
        var writer = Writer(maxBytes: maxBytes)
        try writer.repr(value, depth: 0)
        return writer.out
    }

    /// `str(value)` cut to `maxBytes`, for error messages.
    static func preview(_ value: Value, maxBytes: Int = 200) -> String {
        (try? str(value, maxBytes: maxBytes)) ?? "..."
    }

    private struct Writer {
        var out = ""
        let maxBytes: Int

        mutating func write(_ s: String) throws(FormatError) {
            let total = out.utf8.count + s.utf8.count
            if total > maxBytes { throw .tooLong(total) }
            out += s
        }

        mutating func repr(_ value: Value, depth: Int) throws(FormatError) {
            guard depth <= PythonFormat.maxDepth else { throw .tooDeep }
            switch value {
            case .undefined: break
            case .none: try write("None")
            case .bool(let b): try write(b ? "True" : "False")
            case .int(let i): try write(String(i))
            case .float(let d): try write(PythonFormat.float(d))
            case .string(let s):
                if s.utf8.count > maxBytes { throw .tooLong(s.utf8.count) }
                try write(stringRepr(s))
            case .markup(let s):
                if s.utf8.count > maxBytes { throw .tooLong(s.utf8.count) }
                try write("Markup(" + stringRepr(s) + ")")
            case .list(let items):
                try write("[")
                try join(items, depth: depth)
                try write("]")
            case .tuple(let items):
                try write("(")
                try join(items, depth: depth)
                try write(items.count == 1 ? ",)" : ")")
            case .dict(let d):
                try dict(d, depth: depth)
            case .iterator: try write("<generator object>")
            case .namespace(let ns):
                try write("<Namespace ")
                try dict(ns.attributes, depth: depth)
                try write(">")
            case .loop(let l): try write("<LoopContext \(l.index0 + 1)/\(l.length)>")
            case .callable(let c): try write("<function \(c.name)>")
            }
        }

        private mutating func join(_ items: [Value], depth: Int) throws(FormatError) {
            for (i, item) in items.enumerated() {
                if i > 0 { try write(", ") }
                try repr(item, depth: depth + 1)
            }
        }

        private mutating func dict(_ d: ValueDict, depth: Int) throws(FormatError) {
            try write("{")
            for (i, (k, v)) in d.items.enumerated() {
                if i > 0 { try write(", ") }
                try repr(k.value, depth: depth + 1)
                try write(": ")
                try repr(v, depth: depth + 1)
            }
            try write("}")
        }
    }

    /// Python's `repr(str)`: single quotes unless the text has `'` and no `"`.
    static func stringRepr(_ s: String) -> String {
        let scalars = s.unicodeScalars
        let quote: Unicode.Scalar = (scalars.contains("'") && !scalars.contains("\"")) ? "\"" : "'"
        var out = String(quote)
        // Runs of printable ASCII other than quotes and backslash (most text) are copied whole.
        var run = scalars.startIndex
        var i = run
        while i != scalars.endIndex {
            let c = scalars[i]
            if c.value >= 0x20 && c.value < 0x7F && c != "\\" && c != "'" && c != "\"" {
                i = scalars.index(after: i)
                continue
            }
            out += Substring(scalars[run..<i])
            switch c {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if c == quote {
                    out += "\\" + String(c)
                } else if isPrintable(c) {
                    out.unicodeScalars.append(c)
                } else {
                    out += escapeNonPrintable(c)
                }
            }
            i = scalars.index(after: i)
            run = i
        }
        out += Substring(scalars[run..<i])
        out.unicodeScalars.append(quote)
        return out
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

/// Printing failed (a self-containing namespace, or text past the string budget, with the bytes
/// it reached); the evaluator adds the location.
enum FormatError: Error {
    case tooDeep
    case tooLong(Int)
}
