/// Filters over sequences: `map`, `select`/`reject`, `selectattr`/`rejectattr`, `sort`, `unique`,
/// `reverse`, `sum`, `min`, `max`, `dictsort`. Like jinja2, the lazy ones return a one-shot
/// iterator (`|list` makes a list of it).
extension Renderer {
    func applySequenceFilter(_ name: String, _ value: Value, _ positional: [Value], _ keyword: [(String, Value)],
                             at location: SourceLocation) throws(TemplateError) -> Value {
        switch name {
        case "map":
            return try map(value, positional, keyword, at: location)
        case "select", "reject":
            guard keyword.isEmpty else { throw .type("\(name)() takes no keyword arguments", at: location) }
            return .iterator(try filterItems(value, attribute: nil, positional, keep: name == "select", at: location))
        case "selectattr", "rejectattr":
            guard keyword.isEmpty, let attribute = positional.first else {
                throw .type("\(name)() needs an attribute name", at: location)
            }
            return .iterator(try filterItems(value, attribute: attribute, Array(positional.dropFirst()),
                                             keep: name == "selectattr", at: location))
        case "sort":
            let args = try ArgumentBinding(name, names: ["reverse", "case_sensitive", "attribute"], positional, keyword, at: location)
            let items = try iterate(value, at: location)
            return .list(try sorted(items, attribute: args["attribute"], caseSensitive: args["case_sensitive"]?.truthy ?? false,
                                    reverse: args["reverse"]?.truthy ?? false, at: location))
        case "unique":
            let args = try ArgumentBinding(name, names: ["case_sensitive", "attribute"], positional, keyword, at: location)
            var seen: [Value] = []
            var out: [Value] = []
            for item in try iterate(value, at: location) {
                let key = try sortKey(item, attribute: args["attribute"], caseSensitive: args["case_sensitive"]?.truthy ?? false, at: location)
                var isNew = true
                for earlier in seen where try equal(earlier, key, at: location) {
                    isNew = false
                    break
                }
                if isNew {
                    seen.append(key)
                    out.append(item)
                }
            }
            return .iterator(out)
        case "reverse":
            _ = try ArgumentBinding(name, names: [], positional, keyword, at: location)
            if case .string(let s) = value {
                try scan(s, at: location)
                return .string(String(String.UnicodeScalarView(s.unicodeScalars.reversed())))
            }
            return .iterator(try iterate(value, at: location).reversed())
        case "sum":
            let args = try ArgumentBinding(name, names: ["attribute", "start"], positional, keyword, at: location)
            var total = args["start"] ?? .int(0)
            for item in try iterate(value, at: location) {
                let term = try args["attribute"].map { (a) throws(TemplateError) in try attributePath(item, a, at: location) } ?? item
                total = try binary(.add, total, term, at: location)
            }
            return total
        case "min", "max":
            let args = try ArgumentBinding(name, names: ["case_sensitive", "attribute"], positional, keyword, at: location)
            let items = try sorted(try iterate(value, at: location), attribute: args["attribute"],
                                   caseSensitive: args["case_sensitive"]?.truthy ?? false, reverse: false, at: location)
            guard let pick = name == "min" ? items.first : items.last else {
                return .undefined("No aggregated item, sequence was empty.")
            }
            return pick
        case "dictsort":
            let args = try ArgumentBinding(name, names: ["case_sensitive", "by", "reverse"], positional, keyword, at: location)
            guard case .dict(let d) = value else { throw .type("dictsort needs a mapping, not \(value.typeName)", at: location) }
            let byValue = try string(args["by"] ?? .string("key"), at: location) == "value"
            let pairs = d.itemTuples
            return .list(try sorted(pairs, attribute: .int(byValue ? 1 : 0), caseSensitive: args["case_sensitive"]?.truthy ?? false,
                                    reverse: args["reverse"]?.truthy ?? false, at: location))
        default:
            throw .unsupported(construct: "filter '\(name)'", at: location)
        }
    }

    /// jinja2's `make_attrgetter`: dotted path, integer parts index, each step with getitem rules.
    func attributePath(_ item: Value, _ attribute: Value, at location: SourceLocation) throws(TemplateError) -> Value {
        guard case .string(let path) = attribute else { return try self.item(of: item, attribute, at: location) }
        var current = item
        for part in path.split(separator: ".", omittingEmptySubsequences: false) {
            let key: Value = part.allSatisfy(\.isASCIIDigitCharacter) && !part.isEmpty ? .int(Int(part) ?? 0) : .string(String(part))
            current = try self.item(of: current, key, at: location)
        }
        return current
    }

    private func map(_ value: Value, _ positional: [Value], _ keyword: [(String, Value)], at location: SourceLocation) throws(TemplateError) -> Value {
        // jinja2's lazy filters start with `if value:`, so None (or any falsy value) maps to nothing.
        let items = value.truthy ? try iterate(value, at: location) : []
        if positional.isEmpty, let attribute = keyword.first(where: { $0.0 == "attribute" })?.1 {
            let fallback = keyword.first(where: { $0.0 == "default" })?.1
            var out: [Value] = []
            for item in items {
                var v = try attributePath(item, attribute, at: location)
                if let fallback, v.isUndefined { v = fallback }
                out.append(v)
            }
            return .iterator(out)
        }
        guard case .string(let filter)? = positional.first else {
            throw .type("map() needs a filter name or attribute=", at: location)
        }
        guard Filters.isKnown(filter) else { throw .unsupported(construct: "filter '\(filter)'", at: location) }
        var out: [Value] = []
        for item in items {
            out.append(try applyFilter(filter, item, Array(positional.dropFirst()), keyword, at: location))
        }
        return .iterator(out)
    }

    private func filterItems(_ value: Value, attribute: Value?, _ args: [Value], keep: Bool,
                             at location: SourceLocation) throws(TemplateError) -> [Value] {
        var testName: String?
        var testArgs: [Value] = []
        if let first = args.first {
            guard case .string(let name) = first else { throw .type("test name must be a string", at: location) }
            guard Tests.isKnown(name) else { throw .unsupported(construct: "test '\(name)'", at: location) }
            testName = name
            testArgs = Array(args.dropFirst())
        }
        var out: [Value] = []
        guard value.truthy else { return out }  // jinja2: `if value:` before iterating
        for item in try iterate(value, at: location) {
            let subject = try attribute.map { (a) throws(TemplateError) in try attributePath(item, a, at: location) } ?? item
            let passed = try testName.map { (t) throws(TemplateError) in try applyTest(t, subject, testArgs, [], at: location) } ?? subject.truthy
            if passed == keep { out.append(item) }
        }
        return out
    }

    private func sortKey(_ item: Value, attribute: Value?, caseSensitive: Bool, at location: SourceLocation) throws(TemplateError) -> Value {
        var key = item
        if let attribute, !attribute.isNone { key = try attributePath(item, attribute, at: location) }
        if !caseSensitive, case .string(let s) = key { key = .string(s.lowercased()) }
        return key
    }

    /// Stable sort with Python ordering; incomparable types are a TypeError, as in Python.
    func sorted(_ items: [Value], attribute: Value?, caseSensitive: Bool, reverse: Bool,
                at location: SourceLocation) throws(TemplateError) -> [Value] {
        var keyed: [(key: Value, item: Value, index: Int)] = []
        for (i, item) in items.enumerated() {
            keyed.append((try sortKey(item, attribute: attribute, caseSensitive: caseSensitive, at: location), item, i))
        }
        // The comparator cannot throw: the first failure (incomparable types, or the step budget)
        // is kept, and every later comparison is a cheap tie.
        var failure: TemplateError?
        keyed.sort { a, b in
            if failure != nil { return a.index < b.index }
            let c: Int?
            do throws(TemplateError) {
                c = try order(a.key, b.key, at: location)
            } catch {
                failure = error
                return a.index < b.index
            }
            guard let c else {
                failure = .type("'<' not supported between instances of '\(a.key.typeName)' and '\(b.key.typeName)'", at: location)
                return a.index < b.index
            }
            if c == 0 { return a.index < b.index }
            return reverse ? c > 0 : c < 0
        }
        if let failure { throw failure }
        return keyed.map(\.item)
    }
}

extension Character {
    var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}
