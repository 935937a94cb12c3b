import Foundation

/// Python's operators on template values: `== < in + - * / // % **` and unary minus.
/// Integers are 64-bit here (Python's are unbounded): an overflow is a limit error, never a wrap.
extension Value {
    /// A numeric view: bools are integers in Python arithmetic.
    enum Number {
        case int(Int)
        case float(Double)

        var double: Double {
            switch self {
            case .int(let i): return Double(i)
            case .float(let d): return d
            }
        }
    }

    var number: Number? {
        switch self {
        case .int(let i): return .int(i)
        case .bool(let b): return .int(b ? 1 : 0)
        case .float(let d): return .float(d)
        default: return nil
        }
    }
}

extension Renderer {
    func negate(_ value: Value, at location: SourceLocation) throws(TemplateError) -> Value {
        switch value.number {
        case .int(let i)?:
            let (r, overflow) = Int(0).subtractingReportingOverflow(i)
            if overflow { throw overflowError(at: location) }
            return .int(r)
        case .float(let d)?: return .float(-d)
        case nil:
            if case .undefined(let why) = value { throw .undefined(why, at: location) }
            throw .type("bad operand type for unary -: '\(value.typeName)'", at: location)
        }
    }

    func unaryPlus(_ value: Value, at location: SourceLocation) throws(TemplateError) -> Value {
        switch value.number {
        case .int(let i)?: return .int(i)
        case .float(let d)?: return .float(d)
        case nil:
            if case .undefined(let why) = value { throw .undefined(why, at: location) }
            throw .type("bad operand type for unary +: '\(value.typeName)'", at: location)
        }
    }

    func overflowError(at location: SourceLocation) -> TemplateError {
        .limitExceeded("integer overflow (Kinglet's template integers are 64-bit)", at: location)
    }

    func binary(_ op: BinaryOperator, _ leftValue: Value, _ rightValue: Value, at location: SourceLocation) throws(TemplateError) -> Value {
        if case .undefined(let why) = leftValue { throw .undefined(why, at: location) }
        if case .undefined(let why) = rightValue { throw .undefined(why, at: location) }
        if let markup = try markupArithmetic(op, leftValue, rightValue, at: location) { return markup }
        let left = leftValue.plain, right = rightValue.plain
        if let a = left.number, let b = right.number {
            return try arithmetic(op, a, b, at: location)
        }
        switch (op, left, right) {
        case (.add, .string(let a), .string(let b)):
            try reserveString(Renderer.size(a.utf8.count, plus: b.utf8.count), at: location)
            return .string(a + b)
        case (.add, .list(let a), .list(let b)):
            try reserveElements(Renderer.size(a.count, plus: b.count), at: location)
            return .list(a + b)
        case (.add, .tuple(let a), .tuple(let b)):
            try reserveElements(Renderer.size(a.count, plus: b.count), at: location)
            return .tuple(a + b)
        case (.mul, .string, _), (.mul, _, .string), (.mul, .list, _), (.mul, _, .list):
            return try repeatSequence(left, right, at: location)
        case (.mod, .string(let format), _):
            return try produced(.string(try PercentFormat.format(format, right, renderer: self, at: location)), at: location)
        default:
            throw .type("unsupported operand type(s) for \(op.rawValue): '\(left.typeName)' and '\(right.typeName)'", at: location)
        }
    }

    /// Markup `+` a string (either side) escapes the plain string; `*` repeats; `%` escapes its arguments.
    private func markupArithmetic(_ op: BinaryOperator, _ left: Value, _ right: Value,
                                  at location: SourceLocation) throws(TemplateError) -> Value? {
        switch (op, left, right) {
        case (.add, .markup(let a), .markup(let b)):
            try reserveString(Renderer.size(a.utf8.count, plus: b.utf8.count), at: location)
            return .markup(a + b)
        case (.add, .markup(let a), .string(let b)):
            try reserveString(Renderer.size(a.utf8.count, plus: b.utf8.count), at: location)
            return try produced(.markup(a + StringMethods.escapeHTML(b)), at: location)
        case (.add, .string(let a), .markup(let b)):
            try reserveString(Renderer.size(a.utf8.count, plus: b.utf8.count), at: location)
            return try produced(.markup(StringMethods.escapeHTML(a) + b), at: location)
        case (.mul, .markup, _), (.mul, _, .markup):
            if case .string(let s) = try binary(.mul, left.plain, right.plain, at: location) { return .markup(s) }
            return nil
        case (.mod, .markup(let format), _):
            func escaped(_ v: Value) throws(TemplateError) -> Value {
                if case .string(let s) = v { return .markup(StringMethods.escapeHTML(s)) }
                return v
            }
            var args = right
            if case .tuple(let items) = right {
                var out: [Value] = []
                for item in items { out.append(try escaped(item)) }
                args = .tuple(out)
            } else {
                args = try escaped(right)
            }
            return try produced(.markup(try PercentFormat.format(format, args, renderer: self, at: location)), at: location)
        default:
            return nil
        }
    }

    private func repeatSequence(_ left: Value, _ right: Value, at location: SourceLocation) throws(TemplateError) -> Value {
        let (sequence, countValue) = left.number == nil ? (left, right) : (right, left)
        guard case .int(let n)? = countValue.number else {
            throw .type("can't multiply sequence by non-int of type '\(countValue.typeName)'", at: location)
        }
        let times = max(0, n)
        switch sequence {
        case .string(let s):
            // An empty string repeated 10**18 times is empty, but String(repeating:) would loop.
            if s.isEmpty || times == 0 { return .string("") }
            try reserveString(Renderer.size(s.utf8.count, times: times), at: location)
            return .string(String(repeating: s, count: times))
        case .list(let items):
            if items.isEmpty || times == 0 { return .list([]) }
            try reserveElements(Renderer.size(items.count, times: times), at: location)
            var out: [Value] = []
            out.reserveCapacity(items.count * times)
            for _ in 0..<times { out.append(contentsOf: items) }
            return .list(out)
        default:
            throw .type("unsupported operand type(s) for *: '\(left.typeName)' and '\(right.typeName)'", at: location)
        }
    }

    private func arithmetic(_ op: BinaryOperator, _ a: Value.Number, _ b: Value.Number,
                            at location: SourceLocation) throws(TemplateError) -> Value {
        if case .int(let x) = a, case .int(let y) = b {
            return try integerArithmetic(op, x, y, at: location)
        }
        let x = a.double, y = b.double
        switch op {
        case .add: return .float(x + y)
        case .sub: return .float(x - y)
        case .mul: return .float(x * y)
        case .div:
            guard y != 0 else { throw .type("float division by zero", at: location) }
            return .float(x / y)
        case .floorDiv:
            guard y != 0 else { throw .type("float floor division by zero", at: location) }
            return .float(Renderer.floatDivMod(x, y).0)
        case .mod:
            guard y != 0 else { throw .type("float modulo", at: location) }
            return .float(Renderer.floatDivMod(x, y).1)
        case .pow:
            if x == 0 && y < 0 { throw .type("0.0 cannot be raised to a negative power", at: location) }
            return .float(Foundation.pow(x, y))
        }
    }

    /// CPython's float_divmod: the remainder takes the divisor's sign.
    static func floatDivMod(_ x: Double, _ y: Double) -> (Double, Double) {
        var mod = fmod(x, y)
        var div = (x - mod) / y
        if mod != 0 {
            if (y < 0) != (mod < 0) {
                mod += y
                div -= 1
            }
        } else {
            mod = copysign(0, y)
        }
        var floorDiv: Double
        if div != 0 {
            floorDiv = div.rounded(.down)
            if div - floorDiv > 0.5 { floorDiv += 1 }
        } else {
            floorDiv = copysign(0, x / y)
        }
        return (floorDiv, mod)
    }

    private func integerArithmetic(_ op: BinaryOperator, _ x: Int, _ y: Int, at location: SourceLocation) throws(TemplateError) -> Value {
        func checked(_ r: (partialValue: Int, overflow: Bool)) throws(TemplateError) -> Value {
            if r.overflow { throw overflowError(at: location) }
            return .int(r.partialValue)
        }
        switch op {
        case .add: return try checked(x.addingReportingOverflow(y))
        case .sub: return try checked(x.subtractingReportingOverflow(y))
        case .mul: return try checked(x.multipliedReportingOverflow(by: y))
        case .div:
            guard y != 0 else { throw .type("division by zero", at: location) }
            return .float(Double(x) / Double(y))
        case .floorDiv, .mod:
            guard y != 0 else { throw .type("integer division or modulo by zero", at: location) }
            if x == Int.min && y == -1 { throw overflowError(at: location) }
            var q = x / y, r = x % y
            if r != 0 && ((r < 0) != (y < 0)) { q -= 1; r += y }
            return .int(op == .floorDiv ? q : r)
        case .pow:
            if y < 0 {
                guard x != 0 else { throw .type("0.0 cannot be raised to a negative power", at: location) }
                return .float(Foundation.pow(Double(x), Double(y)))
            }
            var result = 1, base = x, e = y
            while e > 0 {
                if e & 1 == 1 {
                    let r = result.multipliedReportingOverflow(by: base)
                    if r.overflow { throw overflowError(at: location) }
                    result = r.partialValue
                }
                e >>= 1
                if e > 0 {
                    let r = base.multipliedReportingOverflow(by: base)
                    if r.overflow { throw overflowError(at: location) }
                    base = r.partialValue
                }
            }
            return .int(result)
        }
    }
}
