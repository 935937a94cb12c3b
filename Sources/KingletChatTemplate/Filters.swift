import Foundation

/// jinja2's builtin filters (the ones chat templates use), plus Hugging Face's `tojson`.
enum Filters {
    static let names: Set<String> = [
        "abs", "attr", "capitalize", "center", "count", "d", "default", "dictsort", "e", "escape", "first", "forceescape",
        "float", "format", "indent", "int", "items", "join", "last", "length", "list", "lower", "map", "max",
        "min", "reject", "rejectattr", "replace", "reverse", "round", "safe", "select", "selectattr", "sort",
        "string", "sum", "title", "tojson", "trim", "truncate", "unique", "upper", "wordcount",
    ]

    static func isKnown(_ name: String) -> Bool { names.contains(name) }
}

extension Renderer {
    /// Evaluates `base | f(args) | g(args)`; a nil base (filter blocks, `set` blocks) takes `input`.
    func applyFilterChain(_ expr: Expr, to input: Value, in scope: Scope) throws(TemplateError) -> Value {
        guard case .filter(let base, let name, let args, let location) = expr else {
            return try evaluate(expr, in: scope)
        }
        let value: Value
        if let base {
            value = try applyFilterChain(base, to: input, in: scope)
        } else {
            value = input
        }
        let (positional, keyword) = try evaluateArguments(args, in: scope)
        return try applyFilter(name, value, positional, keyword, at: location)
    }

    /// Applies one filter, paying for reading its string input and checking what it made.
    func applyFilter(_ name: String, _ input: Value, _ positional: [Value], _ keyword: [(String, Value)],
                     at location: SourceLocation) throws(TemplateError) -> Value {
        if case .string(let s) = input.plain { try scan(s, at: location) }
        return try produced(try filterResult(name, input, positional, keyword, at: location), at: location)
    }

    private func filterResult(_ name: String, _ input: Value, _ positional: [Value], _ keyword: [(String, Value)],
                              at location: SourceLocation) throws(TemplateError) -> Value {
        if name == "safe" || name == "e" || name == "escape" || name == "forceescape" {
            _ = try ArgumentBinding(name, names: [], positional, keyword, at: location)
            if case .markup = input, name != "forceescape" { return input }
            let text = try string(input, at: location)
            return .markup(name == "safe" ? text : StringMethods.escapeHTML(text))
        }
        let value = input.plain
        func bind(_ names: [String]) throws(TemplateError) -> ArgumentBinding {
            try ArgumentBinding(name, names: names, positional, keyword, at: location)
        }
        switch name {
        case "tojson":
            return .string(try toJSON(value, try bind(["ensure_ascii", "indent", "separators", "sort_keys"]), at: location))
        case "trim":
            let args = try bind(["chars"])
            return .string(StringMethods.strip(try string(value, at: location), chars: try optionalChars(args["chars"], location), left: true, right: true))
        case "length", "count":
            _ = try bind([])
            return .int(try length(of: value, at: location))
        case "upper":
            _ = try bind([])
            return .string(try string(value, at: location).uppercased())
        case "lower":
            _ = try bind([])
            return .string(try string(value, at: location).lowercased())
        case "title":
            _ = try bind([])
            return .string(StringMethods.jinjaTitle(try string(value, at: location)))
        case "capitalize":
            _ = try bind([])
            return .string(StringMethods.capitalize(try string(value, at: location)))
        case "string":
            _ = try bind([])
            return .string(try string(value, at: location))
        case "default", "d":
            let args = try bind(["default_value", "boolean"])
            if value.isUndefined || ((args["boolean"]?.truthy ?? false) && !value.truthy) {
                return args["default_value"] ?? .string("")
            }
            return value
        case "first":
            _ = try bind([])
            let empty = Value.undefined("No first item, sequence was empty.")
            if case .list(let items) = value { return items.first ?? empty }
            return try iterate(value, at: location).first ?? empty
        case "last":
            _ = try bind([])
            if case .iterator = value { throw .type("'generator' object is not reversible", at: location) }
            return try iterate(value, at: location).last ?? .undefined("No last item, sequence was empty.")
        case "list":
            _ = try bind([])
            return .list(try iterate(value, at: location))
        case "items":
            _ = try bind([])
            switch value {
            case .undefined: return .iterator([])
            case .dict(let d): return .iterator(d.itemTuples)
            default: throw .type("Can only get item pairs from a mapping.", at: location)
            }
        case "join":
            let args = try bind(["d", "attribute"])
            var items = try iterate(value, at: location)
            if let attribute = args["attribute"], !(attribute.isNone) {
                items = try items.map { (item) throws(TemplateError) in try attributePath(item, attribute, at: location) }
            }
            let separator = try string(args["d"] ?? .string(""), at: location)
            var parts: [String] = []
            var bytes = 0
            for item in items {
                let part = try string(item, at: location)
                bytes = Renderer.size(bytes, plus: part.utf8.count)
                try checkStringSize(bytes, at: location)
                parts.append(part)
            }
            return .string(try join(parts, separator: separator, at: location))
        case "replace":
            let args = try bind(["old", "new", "count"])
            guard let old = args["old"], let new = args["new"] else { throw .type("replace() missing arguments", at: location) }
            let count = try args["count"].map { (v) throws(TemplateError) in try v.intArgument("count", at: location) } ?? -1
            return .string(try replace(try string(value, at: location), try string(old, at: location),
                                       try string(new, at: location), count: count, at: location))
        case "int":
            let args = try bind(["default", "base"])
            return toInt(value, default: args["default"] ?? .int(0), base: try args["base"]?.intArgument("base", at: location) ?? 10)
        case "float":
            let args = try bind(["default"])
            return toFloat(value) ?? args["default"] ?? .float(0)
        case "abs":
            _ = try bind([])
            switch value.number {
            case .int(let i)?:
                guard i != .min else { throw overflowError(at: location) }
                return .int(abs(i))
            case .float(let d)?: return .float(abs(d))
            case nil: throw .type("bad operand type for abs(): '\(value.typeName)'", at: location)
            }
        case "round":
            return try round(value, try bind(["precision", "method"]), at: location)
        case "attr":
            let args = try bind(["name"])
            return try attribute(of: value, try string(args["name"] ?? .string(""), at: location), at: location)
        case "center":
            let args = try bind(["width"])
            let s = try string(value, at: location)
            let width = try (args["width"] ?? .int(80)).intArgument("width", at: location)
            try reservePadding(s, width: width, fill: " ", at: location)
            return .string(StringMethods.center(s, width: width, fill: " "))
        case "indent":
            return .string(try indent(value, try bind(["width", "first", "blank"]), at: location))
        case "truncate":
            return .string(try truncate(value, try bind(["length", "killwords", "end", "leeway"]), at: location))
        case "wordcount":
            _ = try bind([])
            return .int(StringMethods.wordCount(try string(value, at: location)))
        case "format":
            let s = try string(value, at: location)
            let args: Value = keyword.isEmpty ? .tuple(positional) : .dict(ValueDict(keyword))
            return .string(try PercentFormat.format(s, args, renderer: self, at: location))
        default:
            return try applySequenceFilter(name, value, positional, keyword, at: location)
        }
    }

    private func optionalChars(_ value: Value?, _ location: SourceLocation) throws(TemplateError) -> String? {
        guard let value, !value.isNone else { return nil }
        return try value.stringArgument("chars", at: location)
    }

    /// Python `len()`; undefined has length 0.
    func length(of value: Value, at location: SourceLocation) throws(TemplateError) -> Int {
        switch value {
        case .string(let s): return s.unicodeScalars.count
        case .list(let l), .tuple(let l): return l.count
        case .dict(let d): return d.count
        case .undefined: return 0
        default: throw .type("object of type '\(value.typeName)' has no len()", at: location)
        }
    }

    private func toJSON(_ value: Value, _ args: ArgumentBinding, at location: SourceLocation) throws(TemplateError) -> String {
        var indent: String?
        switch args["indent"] {
        case nil, .none?: indent = nil
        case .string(let s)?: indent = s
        case let v?:
            let width = max(0, try v.intArgument("indent", at: location))
            try reserveString(width, at: location)
            indent = String(repeating: " ", count: width)
        }
        var separators: (String, String)?
        if let s = args["separators"], !s.isNone {
            let parts = try iterate(s, at: location)
            guard parts.count == 2, case .string(let a) = parts[0], case .string(let b) = parts[1] else {
                throw .type("separators must be a pair of strings", at: location)
            }
            separators = (a, b)
        }
        var writer = JSONWriter(ensureASCII: args["ensure_ascii"]?.truthy ?? false, indent: indent,
                                separators: separators, sortKeys: args["sort_keys"]?.truthy ?? false,
                                maxBytes: budget.maxStringBytes)
        let text: String
        do {
            text = try writer.encode(value)
        } catch {
            switch error {
            case .notSerializable(let type): throw .type("Object of type \(type) is not JSON serializable", at: location)
            case .tooDeep: throw formatFailure(.tooDeep, at: location)
            case .tooLong(let bytes): throw formatFailure(.tooLong(bytes), at: location)
            }
        }
        try step(writer.sortWork, at: location)
        return text
    }

    /// jinja2's `int` filter: `int(value)`, else `int(float(value))`, else the default.
    private func toInt(_ value: Value, default fallback: Value, base: Int) -> Value {
        switch value {
        case .int(let i): return .int(i)
        case .bool(let b): return .int(b ? 1 : 0)
        case .float(let d):
            guard d.isFinite, abs(d) < 9.2e18 else { return fallback }
            return .int(Int(d))
        case .string(let s):
            let t = StringMethods.strip(s, chars: nil, left: true, right: true).replacingUnderscoresInNumber()
            // Python refuses a base outside 2...36 (ValueError, so jinja2 falls back); Swift would trap.
            if (2...36).contains(base), let i = Int(t, radix: base) { return .int(i) }
            if base == 10, let d = Double(t), d.isFinite, abs(d) < 9.2e18 { return .int(Int(d)) }
            return fallback
        default:
            return fallback
        }
    }

    private func toFloat(_ value: Value) -> Value? {
        switch value {
        case .int(let i): return .float(Double(i))
        case .bool(let b): return .float(b ? 1 : 0)
        case .float(let d): return .float(d)
        case .string(let s):
            let t = StringMethods.strip(s, chars: nil, left: true, right: true).lowercased()
            switch t {
            case "inf", "+inf", "infinity", "+infinity": return .float(.infinity)
            case "-inf", "-infinity": return .float(-.infinity)
            case "nan", "+nan", "-nan": return .float(.nan)
            default: return Double(t).map { .float($0) }
            }
        default: return nil
        }
    }

    private func round(_ value: Value, _ args: ArgumentBinding, at location: SourceLocation) throws(TemplateError) -> Value {
        let precision = try (args["precision"] ?? .int(0)).intArgument("precision", at: location)
        let method = try string(args["method"] ?? .string("common"), at: location)
        guard let n = value.number else { throw .type("round() needs a number, not \(value.typeName)", at: location) }
        switch method {
        case "common":
            // Python's round(): exact decimal rounding, ties to even; ints stay ints.
            if case .int(let i) = n, precision >= 0 { return .int(i) }
            if precision > 300 { return .float(n.double) }  // finer than any double's digits
            if precision < -308 { return .float(0 * n.double) }  // coarser than any double: ±0.0
            if precision >= 0 {
                return .float(Double(String(format: "%.\(precision)f", n.double)) ?? n.double)
            }
            let scale = pow10(precision)
            return .float((n.double * scale).rounded(.toNearestOrEven) / scale)
        case "ceil", "floor":
            guard abs(precision) <= 308 else {
                throw .limitExceeded("round precision \(precision) is out of the range of a float", at: location)
            }
            let scale = pow10(precision)
            let x = n.double * scale
            return .float((method == "ceil" ? x.rounded(.up) : x.rounded(.down)) / scale)
        default:
            throw .type("method must be common, ceil or floor", at: location)
        }
    }

    private func indent(_ value: Value, _ args: ArgumentBinding, at location: SourceLocation) throws(TemplateError) -> String {
        let text = try string(value, at: location)
        let prefix: String
        switch args["width"] ?? .int(4) {
        case .string(let s): prefix = s
        case let v:
            let width = max(0, try v.intArgument("width", at: location))
            try reserveString(width, at: location)
            prefix = String(repeating: " ", count: width)
        }
        let first = args["first"]?.truthy ?? false
        let blank = args["blank"]?.truthy ?? false
        guard var lines = StringMethods.splitLines(text, keepEnds: false, maxParts: budget.maxCollectionCount) else {
            throw tooManyParts(at: location)
        }
        // At most one prefix per line (and one more for `first`).
        try reserveString(Renderer.size(text.utf8.count, plus: Renderer.size(lines.count + 1, times: prefix.utf8.count)),
                          at: location)
        var trailingNewline = ""
        if text.hasSuffix("\n") || text.hasSuffix("\r") { trailingNewline = "\n" }
        if lines.isEmpty { return first ? (blank ? prefix : "") + trailingNewline : trailingNewline }
        let head = lines.removeFirst()
        let rest = lines.map { blank || !$0.isEmpty ? prefix + $0 : $0 }
        var out = ([head] + rest).joined(separator: "\n") + trailingNewline
        if first { out = prefix + out }
        return out
    }

    private func truncate(_ value: Value, _ args: ArgumentBinding, at location: SourceLocation) throws(TemplateError) -> String {
        let s = try string(value, at: location)
        let length = try (args["length"] ?? .int(255)).intArgument("length", at: location)
        let killwords = args["killwords"]?.truthy ?? false
        let end = try string(args["end"] ?? .string("..."), at: location)
        let leeway = try (args["leeway"] ?? .int(5)).intArgument("leeway", at: location)
        let scalars = Array(s.unicodeScalars)
        let endCount = end.unicodeScalars.count
        // jinja2 asserts both.
        guard length >= endCount else { throw .type("expected length >= \(endCount), got \(length)", at: location) }
        guard leeway >= 0 else { throw .type("expected leeway >= 0, got \(leeway)", at: location) }
        if scalars.count <= Renderer.size(length, plus: leeway) { return s }
        let keep = max(0, length - endCount)
        var cut = String(String.UnicodeScalarView(scalars.prefix(keep)))
        if !killwords, let space = cut.lastIndex(of: " ") { cut = String(cut[..<space]) }
        return cut + end
    }
}

extension Value {
    var isNone: Bool {
        if case .none = self { return true }
        return false
    }
}

extension String {
    /// Python's int() accepts single underscores between digits.
    func replacingUnderscoresInNumber() -> String {
        contains("__") || hasPrefix("_") || hasSuffix("_") ? self : filter { $0 != "_" }
    }
}

/// 10^n as a Double (saturating at 10^±400, past the range of a double).
func pow10(_ n: Int) -> Double {
    var r = 1.0
    let count = min(n.magnitude, 400)
    for _ in 0..<count { if n >= 0 { r *= 10 } else { r /= 10 } }
    return r
}
