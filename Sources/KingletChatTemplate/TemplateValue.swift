import OrderedCollections

/// A value passed into a template: the JSON data model, with Python's distinction between
/// integers and floats (`1` prints as `1`, `1.0` as `1.0`) and insertion-ordered objects
/// (`tojson` keeps key order, as Python dicts do).
public enum TemplateValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([TemplateValue])
    case object(TemplateObject)

    /// Parses JSON text, keeping object key order and integer-vs-float distinction.
    public init(json: String) throws(TemplateError) {
        try self.init(jsonBytes: Array(json.utf8))
    }

    /// Parses JSON bytes (UTF-8), keeping object key order and integer-vs-float distinction, as
    /// Python's `json.loads` reads them for jinja2 (a lone surrogate escape becomes U+FFFD).
    public init(jsonBytes: [UInt8]) throws(TemplateError) {
        let json: JSONValue
        do { json = try JSONParser.parse(bytes: jsonBytes, loneSurrogates: .replace) } catch {
            throw .invalidJSON(error.message, offset: error.offset)
        }
        try self.init(json)
    }

    /// A parsed JSON value as a template value: a number written without a fraction or an
    /// exponent is an integer (and must fit in 64 bits), any other a float, as in Python.
    public init(_ json: JSONValue) throws(TemplateError) {
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .string(let s): self = .string(s)
        case .number(let text, let value):
            if text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) { self = .double(value); return }
            guard let i = Int(text) else { throw .invalidJSON("integer \(text) does not fit in 64 bits", offset: nil) }
            self = .int(i)
        case .array(let items):
            var out: [TemplateValue] = []
            out.reserveCapacity(items.count)
            for item in items { out.append(try TemplateValue(item)) }
            self = .array(out)
        case .object(let members):
            var object = TemplateObject()
            for (key, value) in members { object[key] = try TemplateValue(value) }
            self = .object(object)
        }
    }

    /// The object's entries, or nil when this is not an object.
    public var objectValue: TemplateObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The elements, or nil when this is not an array.
    public var arrayValue: [TemplateValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The text, or nil when this is not a string.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }
}

/// A JSON object that remembers the order its keys were inserted in.
public struct TemplateObject: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    private var storage: OrderedDictionary<String, TemplateValue> = [:]

    /// An empty object.
    public init() {}

    /// An object with these entries, in this order (a later duplicate key replaces the value in place).
    public init(_ entries: [(String, TemplateValue)]) {
        for (k, v) in entries { self[k] = v }
    }

    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        self.init(elements)
    }

    /// Keys in insertion order.
    public var keys: [String] { storage.keys.elements }

    /// Reads or writes an entry; writing a new key appends it, writing nil removes it.
    public subscript(key: String) -> TemplateValue? {
        get { storage[key] }
        set { storage[key] = newValue }
    }

    /// Entries in insertion order.
    public var entries: [(key: String, value: TemplateValue)] { storage.map { ($0.key, $0.value) } }
}

extension TemplateValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: TemplateValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, TemplateValue)...) { self = .object(TemplateObject(elements)) }
}

extension TemplateValue {
    /// Whether arrays and objects nest at most `levels` deep (stops looking past that, so a
    /// hostile value cannot overflow the stack here).
    func nests(within levels: Int) -> Bool {
        switch self {
        case .array(let items):
            return items.isEmpty || (levels > 0 && items.allSatisfy { $0.nests(within: levels - 1) })
        case .object(let o):
            return o.keys.isEmpty || (levels > 0 && o.entries.allSatisfy { $0.value.nests(within: levels - 1) })
        default:
            return true
        }
    }

    /// The runtime form the interpreter works on.
    var runtimeValue: KingletChatTemplate.Value {
        switch self {
        case .null: return .none
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .float(d)
        case .string(let s): return .string(s)
        case .array(let a): return .list(a.map(\.runtimeValue))
        case .object(let o): return .dict(ValueDict(o.entries.map { ($0.key, $0.value.runtimeValue) }))
        }
    }
}
