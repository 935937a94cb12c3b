/// Python's `json.dumps` as Hugging Face's `tojson` filter calls it:
/// `json.dumps(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)`.
struct JSONWriter {
    var ensureASCII = false
    /// nil: one line; otherwise the text repeated per nesting level (`indent=2` → two spaces).
    var indent: String?
    var itemSeparator: String
    var keySeparator: String
    var sortKeys = false
    /// The text may not grow past this many UTF-8 bytes (checked as it is written).
    var maxBytes: Int
    /// Key comparisons spent sorting (`sort_keys`), for the caller to pay for.
    private(set) var sortWork = 0

    init(ensureASCII: Bool = false, indent: String? = nil, separators: (String, String)? = nil, sortKeys: Bool = false,
         maxBytes: Int = .max) {
        self.maxBytes = maxBytes
        self.ensureASCII = ensureASCII
        self.indent = indent
        self.sortKeys = sortKeys
        // json.dumps: default separators are (', ', ': '), or (',', ': ') when indenting.
        itemSeparator = separators?.0 ?? (indent == nil ? ", " : ",")
        keySeparator = separators?.1 ?? ": "
    }

    enum Failure: Error {
        /// Python's TypeError: "Object of type X is not JSON serializable".
        case notSerializable(String)
        case tooDeep
        /// The text would pass `maxBytes`; the bytes it reached.
        case tooLong(Int)
    }

    private func check(_ out: String) throws(Failure) {
        if out.utf8.count > maxBytes { throw .tooLong(out.utf8.count) }
    }

    mutating func encode(_ value: Value) throws(Failure) -> String {
        var out = ""
        try write(value, level: 0, into: &out)
        try check(out)
        return out
    }

    private mutating func write(_ value: Value, level: Int, into out: inout String) throws(Failure) {
        guard level <= PythonFormat.maxDepth else { throw .tooDeep }
        try check(out)
        switch value {
        case .none: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .float(let d):
            if d.isNaN { out += "NaN" } else if d.isInfinite { out += d < 0 ? "-Infinity" : "Infinity" } else {
                out += PythonFormat.float(d)
            }
        case .string(let s), .markup(let s):
            let total = out.utf8.count + s.utf8.count
            if total > maxBytes { throw .tooLong(total) }
            writeString(s, into: &out)
        case .list(let items), .tuple(let items):
            try writeArray(items, level: level, into: &out)
        case .dict(let d):
            var items: [(String, Value)] = []
            for (key, item) in d.items { items.append((try keyString(key), item)) }
            if sortKeys {
                sortWork += items.count * (Int.bitWidth - items.count.leadingZeroBitCount)
                // Python sorts the original keys, so mixed key types fail; same-typed ints sort numerically.
                let keys = d.keys
                if keys.allSatisfy({ if case .string = $0 { return true } else { return false } }) {
                    items.sort { $0.0.unicodeScalars.lexicographicallyPrecedes($1.0.unicodeScalars) }
                } else if keys.allSatisfy({ if case .int = $0 { return true } else { return false } }) {
                    items = zip(keys, items).sorted { a, b in
                        if case .int(let x) = a.0, case .int(let y) = b.0 { return x < y }
                        return false
                    }.map(\.1)
                } else {
                    throw .notSerializable("dict with mixed key types under sort_keys")
                }
            }
            try writeObject(items, level: level, into: &out)
        default:
            throw .notSerializable(value.typeName)
        }
    }

    /// json.dumps turns number and None keys into strings.
    private func keyString(_ key: DictKey) throws(Failure) -> String {
        switch key {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .float(let d):
            if d.isNaN { return "NaN" }
            if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
            return PythonFormat.float(d)
        case .none: return "null"
        }
    }

    private func newline(_ level: Int, into out: inout String) throws(Failure) {
        guard let indent else { return }
        out += "\n"
        for _ in 0..<level {
            out += indent
            try check(out)
        }
    }

    private mutating func writeArray(_ items: [Value], level: Int, into out: inout String) throws(Failure) {
        if items.isEmpty { out += "[]"; return }
        out += "["
        for (i, item) in items.enumerated() {
            if i > 0 { out += itemSeparator }
            try newline(level + 1, into: &out)
            try write(item, level: level + 1, into: &out)
        }
        try newline(level, into: &out)
        out += "]"
    }

    private mutating func writeObject(_ items: [(String, Value)], level: Int, into out: inout String) throws(Failure) {
        if items.isEmpty { out += "{}"; return }
        out += "{"
        for (i, (key, item)) in items.enumerated() {
            if i > 0 { out += itemSeparator }
            try newline(level + 1, into: &out)
            try check(out)
            writeString(key, into: &out)
            out += keySeparator
            try write(item, level: level + 1, into: &out)
        }
        try newline(level, into: &out)
        out += "}"
    }

    private func writeString(_ s: String, into out: inout String) {
        out += JSONValue.quote(s, asciiOnly: ensureASCII)
    }
}
