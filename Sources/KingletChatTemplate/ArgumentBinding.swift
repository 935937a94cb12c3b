/// Matches positional and keyword arguments to a builtin's parameter names, as Python would.
struct ArgumentBinding {
    private var values: [Value?]
    private let names: [String]

    /// - Parameters:
    ///   - function: the builtin's name, for messages.
    ///   - names: parameter names in order (after the filtered/tested value).
    init(_ function: String, names: [String], _ positional: [Value], _ keyword: [(String, Value)],
         at location: SourceLocation) throws(TemplateError) {
        self.names = names
        values = Array(repeating: nil, count: names.count)
        guard positional.count <= names.count else {
            throw .type("\(function)() takes at most \(names.count) argument(s) (\(positional.count) given)", at: location)
        }
        for (i, v) in positional.enumerated() { values[i] = v }
        for (key, v) in keyword {
            guard let i = names.firstIndex(of: key) else {
                throw .type("\(function)() got an unexpected keyword argument '\(key)'", at: location)
            }
            guard values[i] == nil else {
                throw .type("\(function)() got multiple values for argument '\(key)'", at: location)
            }
            values[i] = v
        }
    }

    subscript(_ name: String) -> Value? {
        guard let i = names.firstIndex(of: name) else { return nil }
        return values[i]
    }
}

extension Value {
    /// The argument as a Python int (bools count), for counts and widths.
    func intArgument(_ what: String, at location: SourceLocation) throws(TemplateError) -> Int {
        switch self {
        case .int(let i): return i
        case .bool(let b): return b ? 1 : 0
        default: throw .type("\(what) must be an integer, not \(typeName)", at: location)
        }
    }

    func stringArgument(_ what: String, at location: SourceLocation) throws(TemplateError) -> String {
        if case .string(let s) = self { return s }
        throw .type("\(what) must be a string, not \(typeName)", at: location)
    }
}
