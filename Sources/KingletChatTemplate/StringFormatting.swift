import Foundation

/// Python's `format % args` (printf-style) and `str.format`, for the conversions templates use:
/// `%s %r %d %i %f %e %g %x %o %c %%` with flags, width, precision and `%(name)s`;
/// `{}` / `{0}` / `{name}` fields with `!r`/`!s` and a `[[fill]align][sign][0][width][.precision][type]` spec.
enum PercentFormat {
    static func format(_ format: String, _ args: Value, renderer: Renderer, at location: SourceLocation) throws(TemplateError) -> String {
        var positional: [Value]
        var mapping: ValueDict?
        switch args {
        case .tuple(let items): positional = items
        case .dict(let d): positional = [args]; mapping = d
        default: positional = [args]
        }
        var next = 0
        var out = ""
        let chars = Array(format.unicodeScalars)
        var i = 0
        func fail(_ message: String) -> TemplateError { .type(message, at: location) }
        while i < chars.count {
            let c = chars[i]
            i += 1
            guard c == "%" else { out.unicodeScalars.append(c); continue }
            guard i < chars.count else { throw fail("incomplete format") }
            var value: Value?
            if chars[i] == "(" {
                guard let close = chars[i...].firstIndex(of: ")") else { throw fail("incomplete format key") }
                let key = String(String.UnicodeScalarView(chars[(i + 1)..<close]))
                guard let mapping else { throw fail("format requires a mapping") }
                guard let v = mapping[.string(key)] else { throw fail("KeyError: '\(key)'") }
                value = v
                i = close + 1
            }
            var spec = NumberSpec()
            while i < chars.count, "-+ #0".unicodeScalars.contains(chars[i]) {
                spec.flags.unicodeScalars.append(chars[i])
                i += 1
            }
            while i < chars.count, chars[i].isASCIIDigit { spec.width = appendDigit(spec.width, chars[i]); i += 1 }
            if i < chars.count, chars[i] == "." {
                i += 1
                var p = 0
                while i < chars.count, chars[i].isASCIIDigit { p = appendDigit(p, chars[i]); i += 1 }
                spec.precision = p
            }
            // Widths and precisions are sizes of text about to be built: refuse huge ones first.
            try renderer.reserveString(Renderer.size(spec.width, plus: spec.precision ?? 0), at: location)
            guard i < chars.count else { throw fail("incomplete format") }
            let type = chars[i]
            i += 1
            if type == "%" { out += "%"; continue }
            if value == nil {
                guard next < positional.count else { throw fail("not enough arguments for format string") }
                value = positional[next]
                next += 1
            }
            out += try convert(value!, type: type, spec: spec, renderer: renderer, at: location)
        }
        if mapping == nil && next < positional.count {
            throw fail("not all arguments converted during string formatting")
        }
        return out
    }

    struct NumberSpec {
        var flags = ""
        var width = 0
        var precision: Int?
    }

    /// `value * 10 + digit`, saturating at `Int.max` (a width of 10**30 is just too large).
    static func appendDigit(_ value: Int, _ digit: Unicode.Scalar) -> Int {
        Renderer.size(Renderer.size(value, times: 10), plus: Int(digit.value) - 48)
    }

    static func convert(_ value: Value, type: Unicode.Scalar, spec: NumberSpec, renderer: Renderer,
                        at location: SourceLocation) throws(TemplateError) -> String {
        let text: String
        switch type {
        case "s": text = try renderer.string(value, at: location)
        case "r", "a": text = try renderer.repr(value, at: location)
        case "d", "i", "u", "x", "X", "o":
            guard let number = value.number else {
                throw .type("%\(type) format: a real number is required, not \(value.typeName)", at: location)
            }
            let n: Int
            switch number {
            case .int(let v): n = v
            case .float(let d):
                guard d.isFinite, abs(d) < 9.2e18 else { throw .type("cannot convert float to integer", at: location) }
                n = Int(d)
            }
            let radix = (type == "x" || type == "X") ? 16 : (type == "o" ? 8 : 10)
            var digits = String(n.magnitude, radix: radix, uppercase: type == "X")
            if let p = spec.precision, digits.count < p { digits = String(repeating: "0", count: p - digits.count) + digits }
            if spec.flags.contains("#") && radix != 10 { digits = (radix == 16 ? "0" + String(Character(type)) : "0o") + digits }
            let sign = n < 0 ? "-" : (spec.flags.contains("+") ? "+" : (spec.flags.contains(" ") ? " " : ""))
            return pad(sign: sign, digits: digits, spec: spec)
        case "f", "F", "e", "E", "g", "G":
            guard let number = value.number else {
                throw .type("must be real number, not \(value.typeName)", at: location)
            }
            let d = number.double
            let cFormat = "%" + spec.flags + (spec.width > 0 ? String(spec.width) : "")
                + "." + String(spec.precision ?? 6) + String(Character(type))
            return String(format: cFormat, d)
        case "c":
            if case .string(let s) = value, s.unicodeScalars.count == 1 { text = s } else if
                case .int(let i) = value, let u = Unicode.Scalar(UInt32(clamping: i)) { text = String(Character(u)) } else {
                throw .type("%c requires an int or a unicode character", at: location)
            }
        default:
            throw .unsupported(construct: "'%\(Character(type))' in a %-format string", at: location)
        }
        return pad(sign: "", digits: text, spec: NumberSpec(flags: spec.flags.replacingOccurrences(of: "0", with: ""),
                                                             width: spec.width, precision: nil))
    }

    private static func pad(sign: String, digits: String, spec: NumberSpec) -> String {
        let length = sign.unicodeScalars.count + digits.unicodeScalars.count
        guard spec.width > length else { return sign + digits }
        let fill = spec.width - length
        if spec.flags.contains("-") { return sign + digits + String(repeating: " ", count: fill) }
        if spec.flags.contains("0") { return sign + String(repeating: "0", count: fill) + digits }
        return String(repeating: " ", count: fill) + sign + digits
    }
}

/// Python's `str.format(*args, **kwargs)`.
enum BraceFormat {
    static func format(_ format: String, _ positional: [Value], _ keyword: [(String, Value)],
                       renderer: Renderer, at location: SourceLocation) throws(TemplateError) -> String {
        let chars = Array(format.unicodeScalars)
        var out = ""
        var i = 0
        var automatic = 0
        var usedManual = false, usedAutomatic = false
        func fail(_ message: String) -> TemplateError { .type(message, at: location) }
        while i < chars.count {
            let c = chars[i]
            if c == "}" {
                guard i + 1 < chars.count, chars[i + 1] == "}" else { throw fail("Single '}' encountered in format string") }
                out += "}"
                i += 2
                continue
            }
            guard c == "{" else { out.unicodeScalars.append(c); i += 1; continue }
            if i + 1 < chars.count, chars[i + 1] == "{" { out += "{"; i += 2; continue }
            guard let close = chars[i...].firstIndex(of: "}") else { throw fail("expected '}' before end of string") }
            let field = String(String.UnicodeScalarView(chars[(i + 1)..<close]))
            i = close + 1
            var name = field, conversion: Character?, spec = ""
            if let colon = name.firstIndex(of: ":") {
                spec = String(name[name.index(after: colon)...])
                name = String(name[..<colon])
            }
            if let bang = name.firstIndex(of: "!") {
                conversion = name[name.index(after: bang)...].first
                name = String(name[..<bang])
            }
            let value: Value
            if name.isEmpty {
                if usedManual { throw fail("cannot switch from manual field specification to automatic field numbering") }
                usedAutomatic = true
                guard automatic < positional.count else { throw fail("Replacement index \(automatic) out of range for positional args tuple") }
                value = positional[automatic]
                automatic += 1
            } else if let index = Int(name) {
                if usedAutomatic { throw fail("cannot switch from automatic field numbering to manual field specification") }
                usedManual = true
                guard index >= 0, index < positional.count else { throw fail("Replacement index \(index) out of range for positional args tuple") }
                value = positional[index]
            } else {
                guard let v = keyword.first(where: { $0.0 == name })?.1 else { throw fail("KeyError: '\(name)'") }
                value = v
            }
            var converted = value
            if conversion == "r" { converted = .string(try renderer.repr(value, at: location)) }
            if conversion == "s" { converted = .string(try renderer.string(value, at: location)) }
            out += try applySpec(spec, converted, renderer: renderer, at: location)
        }
        return out
    }

    /// `[[fill]align][sign][0][width][.precision][type]`
    private static func applySpec(_ spec: String, _ value: Value, renderer: Renderer, at location: SourceLocation) throws(TemplateError) -> String {
        if spec.isEmpty { return try renderer.string(value, at: location) }
        var chars = Array(spec)[...]  // a slice: removeFirst is O(1)
        var fill: Character = " ", align: Character?
        if chars.count >= 2, "<>^=".contains(chars[1]) {
            fill = chars[0]; align = chars[1]; chars.removeFirst(2)
        } else if let first = chars.first, "<>^=".contains(first) {
            align = first; chars.removeFirst()
        }
        var sign = ""
        if let first = chars.first, "+- ".contains(first) { sign = String(first); chars.removeFirst() }
        if chars.first == "0" { if align == nil { fill = "0"; align = "=" }; chars.removeFirst() }
        var width = 0
        while let d = chars.first, d.isASCII, let digit = d.unicodeScalars.first, digit.isASCIIDigit {
            width = PercentFormat.appendDigit(width, digit)
            chars.removeFirst()
        }
        var precision: Int?
        if chars.first == "." {
            chars.removeFirst()
            var p = 0
            while let d = chars.first, d.isASCII, let digit = d.unicodeScalars.first, digit.isASCIIDigit {
                p = PercentFormat.appendDigit(p, digit)
                chars.removeFirst()
            }
            precision = p
        }
        // Widths and precisions are sizes of text about to be built: refuse huge ones first.
        try renderer.reserveString(Renderer.size(Renderer.size(width, times: fill.utf8.count), plus: precision ?? 0), at: location)
        let type = chars.first
        guard chars.count <= 1 else { throw .unsupported(construct: "format spec '\(spec)'", at: location) }
        var body: String
        var isNumber = false
        switch type {
        case nil, "s":
            if case .string(let s) = value {
                body = precision.map { String(s.unicodeScalars.prefix($0)) } ?? s
            } else if type == nil, value.number != nil {
                isNumber = true
                body = try renderer.string(value, at: location)
            } else {
                body = try renderer.string(value, at: location)
            }
        case "d":
            guard case .int(let n)? = value.number else { throw .type("Unknown format code 'd' for object of type '\(value.typeName)'", at: location) }
            isNumber = true
            body = String(n)
        case "f", "F", "e", "E", "g", "G", "%":
            guard let n = value.number else { throw .type("Unknown format code for object of type '\(value.typeName)'", at: location) }
            isNumber = true
            let scaled = type == "%" ? n.double * 100 : n.double
            let t = type == "%" ? "f" : String(type!)
            body = String(format: "%." + String(precision ?? 6) + t, scaled) + (type == "%" ? "%" : "")
        default:
            throw .unsupported(construct: "format spec '\(spec)'", at: location)
        }
        if isNumber && (sign == "+" || sign == " ") && !body.hasPrefix("-") { body = sign + body }
        let length = body.unicodeScalars.count
        guard width > length else { return body }
        let padding = width - length
        switch align ?? (isNumber ? ">" : "<") {
        case "<": return body + String(repeating: fill, count: padding)
        case "^":
            let left = padding / 2
            return String(repeating: fill, count: left) + body + String(repeating: fill, count: padding - left)
        case "=":
            if let f = body.first, "+- ".contains(f) {
                return String(f) + String(repeating: fill, count: padding) + body.dropFirst()
            }
            return String(repeating: fill, count: padding) + body
        default: return String(repeating: fill, count: padding) + body
        }
    }
}
