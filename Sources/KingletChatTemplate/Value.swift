import OrderedCollections

/// A runtime value, modelled on the Python objects jinja2 templates see.
///
/// Lists and dicts have value semantics: the sandbox Hugging Face uses forbids mutating them,
/// so copying is indistinguishable from sharing. Namespaces are the one mutable object.
indirect enum Value {
    /// jinja2's default `Undefined`; the text says what was missing, for error messages.
    case undefined(String)
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    /// markupsafe's `Markup` (from `|safe`, `|escape`): a string that HTML-escapes plain
    /// strings added to it.
    case markup(String)
    case list([Value])
    case tuple([Value])
    case dict(ValueDict)
    /// A one-shot iterator (what `select`, `map`, `reverse` return): always truthy, has no length.
    case iterator([Value])
    case namespace(Namespace)
    case loop(LoopContext)
    case callable(Callable)

    static func from(_ literal: Literal) -> Value {
        switch literal {
        case .none: return .none
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .float(let d): return .float(d)
        case .string(let s): return .string(s)
        }
    }

    /// Markup as the plain string it holds; any other value unchanged. Most operations
    /// treat Markup as a string, so they look through it.
    var plain: Value {
        if case .markup(let s) = self { return .string(s) }
        return self
    }

    var isUndefined: Bool {
        if case .undefined = self { return true }
        return false
    }

    /// Python's type name, for error messages.
    var typeName: String {
        switch self {
        case .undefined: return "Undefined"
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .string: return "str"
        case .markup: return "Markup"
        case .list: return "list"
        case .tuple: return "tuple"
        case .dict: return "dict"
        case .iterator: return "generator"
        case .namespace: return "Namespace"
        case .loop: return "LoopContext"
        case .callable: return "function"
        }
    }

    /// Python truthiness.
    var truthy: Bool {
        switch self {
        case .undefined, .none: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .float(let d): return d != 0
        case .string(let s), .markup(let s): return !s.isEmpty
        case .list(let l), .tuple(let l): return !l.isEmpty
        case .dict(let d): return !d.isEmpty
        case .iterator, .namespace, .loop, .callable: return true
        }
    }
}

/// A dict key: Python dicts in templates are keyed by strings, occasionally by numbers or None.
enum DictKey: Hashable {
    case string(String)
    case int(Int)
    case float(Double)
    case none

    /// The key for a value, or nil when the value is unhashable (list, dict, ...).
    /// Bools and integral floats hash as ints, as in Python (`{1: x}[True]` finds x).
    init?(_ value: Value) {
        switch value.plain {
        case .string(let s): self = .string(s)
        case .int(let i): self = .int(i)
        case .bool(let b): self = .int(b ? 1 : 0)
        case .float(let d):
            if d == d.rounded(), abs(d) < 9.2e18 { self = .int(Int(d)) } else { self = .float(d) }
        case .none: self = .none
        default: return nil
        }
    }

    var value: Value {
        switch self {
        case .string(let s): return .string(s)
        case .int(let i): return .int(i)
        case .float(let d): return .float(d)
        case .none: return .none
        }
    }

    /// NaN equals NaN here: with IEEE equality a NaN key could be stored but never found again,
    /// and `ValueDict` would trap on its own entry.
    static func == (a: DictKey, b: DictKey) -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.float(let x), .float(let y)): return x == y || (x.isNaN && y.isNaN)
        case (.none, .none): return true
        default: return false
        }
    }

    func hash(into hasher: inout Hasher) {
        switch self {
        case .string(let s): hasher.combine(0); hasher.combine(s)
        case .int(let i): hasher.combine(1); hasher.combine(i)
        case .float(let d): hasher.combine(2); hasher.combine(d.isNaN ? Double.nan.bitPattern : d.bitPattern)
        case .none: hasher.combine(3)
        }
    }
}

/// An insertion-ordered dictionary (Python dicts keep insertion order).
struct ValueDict {
    private var storage: OrderedDictionary<DictKey, Value> = [:]

    init() {}

    init(_ pairs: [(String, Value)]) {
        for (k, v) in pairs { self[k] = v }
    }

    var keys: [DictKey] { storage.keys.elements }
    var isEmpty: Bool { storage.isEmpty }
    var count: Int { storage.count }

    /// Writing a new key appends it, writing nil removes it.
    subscript(key: DictKey) -> Value? {
        get { storage[key] }
        set { storage[key] = newValue }
    }

    subscript(key: String) -> Value? {
        get { self[.string(key)] }
        set { self[.string(key)] = newValue }
    }

    var values: [Value] { storage.values.elements }
    var items: [(DictKey, Value)] { storage.map { ($0.key, $0.value) } }
    /// `(key, value)` tuples, as `dict.items()` yields them.
    var itemTuples: [Value] { storage.map { .tuple([$0.key.value, $0.value]) } }
}

/// `namespace(...)`: the only mutable object, so `{% set ns.x = ... %}` inside a loop is seen outside it.
final class Namespace {
    var attributes: ValueDict
    init(_ attributes: ValueDict) { self.attributes = attributes }
}

/// The `loop` variable inside a `for` body.
struct LoopContext {
    var items: [Value]
    var index0: Int
    var depth0: Int = 0

    var length: Int { items.count }

    func attribute(_ name: String) -> Value? {
        switch name {
        case "index": return .int(index0 + 1)
        case "index0": return .int(index0)
        case "revindex": return .int(length - index0)
        case "revindex0": return .int(length - index0 - 1)
        case "first": return .bool(index0 == 0)
        case "last": return .bool(index0 == length - 1)
        case "length": return .int(length)
        case "depth": return .int(depth0 + 1)
        case "depth0": return .int(depth0)
        case "previtem": return index0 > 0 ? items[index0 - 1] : .undefined("there is no previous item")
        case "nextitem": return index0 + 1 < length ? items[index0 + 1] : .undefined("there is no next item")
        case "cycle": return .callable(.loopCycle(index0))
        default: return nil
        }
    }
}

/// Something that can be called from a template.
indirect enum Callable {
    /// A `{% macro %}` (or the `caller` of a call block) with the scope it was defined in.
    case macro(MacroDefinition, Scope)
    /// A global function: `range`, `namespace`, `dict`, `raise_exception`, `strftime_now`.
    case global(String)
    /// A method looked up on a value (`text.strip`, `d.items`).
    case method(Value, String)
    /// `loop.cycle(...)` bound to the current iteration.
    case loopCycle(Int)

    var name: String {
        switch self {
        case .macro(let m, _): return m.name
        case .global(let n): return n
        case .method(_, let n): return n
        case .loopCycle: return "cycle"
        }
    }
}
