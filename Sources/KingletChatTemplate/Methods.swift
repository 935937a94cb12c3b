/// Python methods on strings, dicts and lists that templates call (`content.strip()`,
/// `message.get('x')`, `tools.items()`). Mutating list/dict methods are absent: Hugging Face's
/// immutable sandbox refuses them too.
enum Methods {
    static let stringMethods: Set<String> = [
        "strip", "lstrip", "rstrip", "split", "rsplit", "splitlines", "startswith", "endswith", "upper", "lower",
        "title", "capitalize", "swapcase", "replace", "find", "rfind", "index", "rindex", "count", "join", "format",
        "isdigit", "isalpha", "isalnum", "isspace", "islower", "isupper", "isnumeric", "isdecimal", "zfill",
        "center", "ljust", "rjust", "removeprefix", "removesuffix", "partition", "rpartition",
    ]
    static let dictMethods: Set<String> = ["items", "keys", "values", "get", "copy"]
    static let listMethods: Set<String> = ["index", "count", "copy"]

    static func has(_ value: Value, _ name: String) -> Bool {
        switch value {
        case .string, .markup: return stringMethods.contains(name)
        case .dict: return dictMethods.contains(name)
        case .list, .tuple: return listMethods.contains(name) && !(name == "copy" && !value.isList)
        default: return false
        }
    }
}

extension Renderer {
    func callMethod(_ receiver: Value, _ name: String, _ positional: [Value], _ keyword: [(String, Value)],
                    at location: SourceLocation) throws(TemplateError) -> Value {
        switch receiver {
        case .string(let s): return try callStringMethod(s, name, positional, keyword, at: location)
        case .dict(let d): return try callDictMethod(d, name, positional, keyword, at: location)
        case .list(let items), .tuple(let items):
            let args = try ArgumentBinding(name, names: ["value"], positional, keyword, at: location)
            let value = args["value"] ?? .none
            switch name {
            case "copy": return receiver
            case "count":
                var n = 0
                for item in items where try equal(item, value, at: location) { n += 1 }
                return .int(n)
            default:
                for (i, item) in items.enumerated() where try equal(item, value, at: location) { return .int(i) }
                throw .type("value is not in list", at: location)
            }
        default:
            throw .unsupported(construct: "method '\(name)' on \(receiver.typeName)", at: location)
        }
    }

    private func callDictMethod(_ d: ValueDict, _ name: String, _ positional: [Value], _ keyword: [(String, Value)],
                                at location: SourceLocation) throws(TemplateError) -> Value {
        switch name {
        case "items":
            _ = try ArgumentBinding(name, names: [], positional, keyword, at: location)
            return .list(d.itemTuples)
        case "keys":
            _ = try ArgumentBinding(name, names: [], positional, keyword, at: location)
            return .list(d.keys.map(\.value))
        case "values":
            _ = try ArgumentBinding(name, names: [], positional, keyword, at: location)
            return .list(d.values)
        case "copy":
            return .dict(d)
        default:  // get
            guard keyword.isEmpty, (1...2).contains(positional.count) else {
                throw .type("get expected 1 or 2 positional arguments", at: location)
            }
            if let k = DictKey(positional[0]), let v = d[k] { return v }
            return positional.count == 2 ? positional[1] : .none
        }
    }

    private func callStringMethod(_ s: String, _ name: String, _ positional: [Value], _ keyword: [(String, Value)],
                                  at location: SourceLocation) throws(TemplateError) -> Value {
        // Every string method reads its receiver and its string arguments at least once.
        try scan(s, at: location)
        for case .string(let argument) in positional + keyword.map(\.1) { try scan(argument, at: location) }
        if name == "format" {
            return .string(try BraceFormat.format(s, positional, keyword, renderer: self, at: location))
        }
        func bind(_ names: [String]) throws(TemplateError) -> ArgumentBinding {
            try ArgumentBinding(name, names: names, positional, keyword, at: location)
        }
        func optionalString(_ v: Value?) throws(TemplateError) -> String? {
            guard let v, !v.isNone else { return nil }
            return try v.stringArgument("argument", at: location)
        }
        func requiredString(_ v: Value?) throws(TemplateError) -> String {
            guard let v else { throw .type("\(name)() missing a required argument", at: location) }
            return try v.stringArgument("argument", at: location)
        }
        switch name {
        case "strip", "lstrip", "rstrip":
            let chars = try optionalString(try bind(["chars"])["chars"])
            return .string(StringMethods.strip(s, chars: chars, left: name != "rstrip", right: name != "lstrip"))
        case "split", "rsplit":
            let args = try bind(["sep", "maxsplit"])
            let sep = try optionalString(args["sep"])
            if sep == "" { throw .type("empty separator", at: location) }
            let maxSplit = try args["maxsplit"]?.intArgument("maxsplit", at: location) ?? -1
            let maxParts = budget.maxCollectionCount
            let parts = name == "split" ? StringMethods.split(s, separator: sep, maxSplit: maxSplit, maxParts: maxParts)
                : StringMethods.rsplit(s, separator: sep, maxSplit: maxSplit, maxParts: maxParts)
            guard let parts else { throw tooManyParts(at: location) }
            return .list(parts.map { .string($0) })
        case "splitlines":
            let keep = try bind(["keepends"])["keepends"]?.truthy ?? false
            guard let lines = StringMethods.splitLines(s, keepEnds: keep, maxParts: budget.maxCollectionCount) else {
                throw tooManyParts(at: location)
            }
            return .list(lines.map { .string($0) })
        case "startswith", "endswith":
            let args = try bind(["prefix", "start", "end"])
            guard let prefix = args["prefix"] else { throw .type("\(name)() takes at least 1 argument", at: location) }
            let start = try args["start"].flatMap { $0.isNone ? nil : $0 }?.intArgument("start", at: location)
            let end = try args["end"].flatMap { $0.isNone ? nil : $0 }?.intArgument("end", at: location)
            let scalars = Renderer.slice(Array(s.unicodeScalars), start, end, 1)
            var candidates: [Value] = [prefix]
            if case .tuple(let items) = prefix { candidates = items }
            for candidate in candidates {
                guard case .string(let c) = candidate else {
                    throw .type("\(name) first arg must be str or a tuple of str, not \(candidate.typeName)", at: location)
                }
                let needle = Array(c.unicodeScalars)
                if name == "startswith" ? scalars.starts(with: needle) : scalars.reversed().starts(with: needle.reversed()) {
                    return .bool(true)
                }
            }
            return .bool(false)
        case "upper": _ = try bind([]); return .string(s.uppercased())
        case "lower": _ = try bind([]); return .string(s.lowercased())
        case "title": _ = try bind([]); return .string(StringMethods.pythonTitle(s))
        case "capitalize": _ = try bind([]); return .string(StringMethods.capitalize(s))
        case "swapcase":
            _ = try bind([])
            return .string(s.unicodeScalars.map { c in
                c.properties.isUppercase ? String(c).lowercased() : (c.properties.isLowercase ? String(c).uppercased() : String(c))
            }.joined())
        case "replace":
            let args = try bind(["old", "new", "count"])
            let count = try args["count"]?.intArgument("count", at: location) ?? -1
            return .string(try replace(s, try requiredString(args["old"]), try requiredString(args["new"]), count: count, at: location))
        case "find", "rfind", "index", "rindex":
            let needle = try requiredString(try bind(["sub"])["sub"])
            let i = StringMethods.find(s, needle, reverse: name.hasPrefix("r"))
            if i < 0 && name.hasSuffix("index") { throw .type("substring not found", at: location) }
            return .int(i)
        case "count":
            return .int(StringMethods.count(s, try requiredString(try bind(["sub"])["sub"])))
        case "join":
            let items = try iterate(try bind(["iterable"])["iterable"] ?? .list([]), at: location)
            var parts: [String] = []
            for item in items {
                guard case .string(let p) = item else {
                    throw .type("sequence item \(parts.count): expected str instance, \(item.typeName) found", at: location)
                }
                parts.append(p)
            }
            return .string(try join(parts, separator: s, at: location))
        case "isdigit", "isnumeric", "isdecimal":
            return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.numericType != nil })
        case "isalpha": return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic })
        case "isalnum":
            return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0.properties.numericType != nil })
        case "isspace": return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy(\.isPythonWhitespace))
        case "islower": return .bool(s.contains { $0.isCased } && s.lowercased() == s)
        case "isupper": return .bool(s.contains { $0.isCased } && s.uppercased() == s)
        case "zfill", "center", "ljust", "rjust":
            let args = try bind(["width", "fillchar"])
            let width = try (args["width"] ?? .int(0)).intArgument("width", at: location)
            let fill = try fillCharacter(try optionalString(args["fillchar"]) ?? " ", at: location)
            let n = s.unicodeScalars.count
            guard width > n else { return .string(s) }
            try reservePadding(s, width: width, fill: fill, at: location)
            switch name {
            case "center": return .string(StringMethods.center(s, width: width, fill: fill))
            case "ljust": return .string(s + String(repeating: String(fill), count: width - n))
            case "rjust": return .string(String(repeating: String(fill), count: width - n) + s)
            default:
                let sign = s.hasPrefix("-") || s.hasPrefix("+") ? String(s.prefix(1)) : ""
                return .string(sign + String(repeating: "0", count: width - n) + s.dropFirst(sign.count))
            }
        case "removeprefix", "removesuffix":
            let affix = try requiredString(try bind(["affix"])["affix"])
            let scalars = Array(s.unicodeScalars), a = Array(affix.unicodeScalars)
            if name == "removeprefix", scalars.starts(with: a) { return .string(String(String.UnicodeScalarView(scalars.dropFirst(a.count)))) }
            if name == "removesuffix", !a.isEmpty, scalars.reversed().starts(with: a.reversed()) {
                return .string(String(String.UnicodeScalarView(scalars.dropLast(a.count))))
            }
            return .string(s)
        case "partition", "rpartition":
            let sep = try requiredString(try bind(["sep"])["sep"])
            if sep.isEmpty { throw .type("empty separator", at: location) }
            let i = StringMethods.find(s, sep, reverse: name == "rpartition")
            let scalars = Array(s.unicodeScalars)
            func text(_ r: Range<Int>) -> Value { .string(String(String.UnicodeScalarView(scalars[r]))) }
            if i < 0 {
                return name == "partition" ? .tuple([.string(s), .string(""), .string("")]) : .tuple([.string(""), .string(""), .string(s)])
            }
            let end = i + sep.unicodeScalars.count
            return .tuple([text(0..<i), .string(sep), text(end..<scalars.count)])
        default:
            throw .unsupported(construct: "string method '\(name)'", at: location)
        }
    }
}

extension Renderer {
    /// Python's fill characters are exactly one code point.
    func fillCharacter(_ text: String, at location: SourceLocation) throws(TemplateError) -> Unicode.Scalar {
        let scalars = text.unicodeScalars
        guard let first = scalars.first, scalars.count == 1 else {
            throw .type("The fill character must be exactly one character long", at: location)
        }
        return first
    }

    /// Checks and pays for `s` padded with `fill` to `width` scalars.
    func reservePadding(_ s: String, width: Int, fill: Unicode.Scalar, at location: SourceLocation) throws(TemplateError) {
        let length = s.unicodeScalars.count
        guard width > length else { return }  // also keeps `width - length` from overflowing
        let padding = width - length
        try reserveString(Renderer.size(s.utf8.count, plus: Renderer.size(padding, times: String(fill).utf8.count)), at: location)
    }

    /// `str.replace` within the string budget.
    func replace(_ s: String, _ old: String, _ new: String, count: Int, at location: SourceLocation) throws(TemplateError) -> String {
        let (result, bytes) = StringMethods.replace(s, old, new, count: count, maxBytes: budget.maxStringBytes)
        guard let result else { throw .budgetExceeded(.stringBytes, limit: budget.maxStringBytes, reached: bytes, at: location) }
        return result
    }

    /// `separator.join(parts)` within the string budget, checked before joining.
    func join(_ parts: [String], separator: String, at location: SourceLocation) throws(TemplateError) -> String {
        var bytes = 0
        for (i, part) in parts.enumerated() {
            bytes = Renderer.size(bytes, plus: Renderer.size(part.utf8.count, plus: i > 0 ? separator.utf8.count : 0))
            try checkStringSize(bytes, at: location)
        }
        try reserveString(bytes, at: location)
        return parts.joined(separator: separator)
    }

    func tooManyParts(at location: SourceLocation) -> TemplateError {
        .budgetExceeded(.collectionCount, limit: budget.maxCollectionCount, reached: budget.maxCollectionCount + 1, at: location)
    }
}
