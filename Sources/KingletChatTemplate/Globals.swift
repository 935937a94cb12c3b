import Foundation

/// Global functions: jinja2's `range`, `namespace`, `dict`, and Hugging Face's
/// `raise_exception(message)` and `strftime_now(format)`.
enum Globals {
    static let names = ["range", "namespace", "dict", "raise_exception", "strftime_now"]
}

extension Renderer {
    func callGlobal(_ name: String, _ positional: [Value], _ keyword: [(String, Value)],
                    at location: SourceLocation) throws(TemplateError) -> Value {
        switch name {
        case "raise_exception":
            let args = try ArgumentBinding(name, names: ["message"], positional, keyword, at: location)
            throw .raised(message: try string(args["message"] ?? .string(""), at: location), at: location)
        case "strftime_now":
            let args = try ArgumentBinding(name, names: ["format"], positional, keyword, at: location)
            let format = try (args["format"] ?? .string("")).stringArgument("format", at: location)
            return .string(Strftime.format(format, now, timeZone: timeZone))
        case "namespace", "dict":
            var attributes = ValueDict()
            guard positional.count <= 1 else { throw .type("\(name) expected at most 1 positional argument", at: location) }
            if let initial = positional.first {
                switch initial {
                case .dict(let d): attributes = d
                default:
                    for pair in try iterate(initial, at: location) {
                        let kv = try iterate(pair, at: location)
                        guard kv.count == 2, case .string(let k) = kv[0] else {
                            throw .type("\(name)() needs a mapping or (key, value) pairs with string keys", at: location)
                        }
                        attributes[k] = kv[1]
                    }
                }
            }
            for (k, v) in keyword { attributes[k] = v }
            let made: Value
            if name == "dict" {
                made = .dict(attributes)
            } else {
                let ns = Namespace(attributes)
                namespaces.append(ns)
                made = .namespace(ns)
            }
            try checkNesting(.dict(attributes), at: location)
            return made
        default:  // range
            guard keyword.isEmpty, (1...3).contains(positional.count) else {
                throw .type("range expected 1 to 3 integer arguments", at: location)
            }
            var ints: [Int] = []
            for p in positional { ints.append(try p.intArgument("range() argument", at: location)) }
            let (start, stop, step) = ints.count == 1 ? (0, ints[0], 1) : (ints[0], ints[1], ints.count == 3 ? ints[2] : 1)
            guard step != 0 else { throw .type("range() arg 3 must not be zero", at: location) }
            let count = Renderer.rangeCount(start: start, stop: stop, step: step)
            try reserveElements(count, at: location)
            // Every element lies between start and stop; only the step past the last may wrap.
            var items: [Value] = []
            items.reserveCapacity(count)
            var next = start
            for _ in 0..<count {
                items.append(.int(next))
                next = next &+ step
            }
            return .list(items)
        }
    }
}

extension Renderer {
    /// `len(range(start, stop, step))` without overflow, even from Int.min to Int.max (then
    /// `Int.max`, which no budget allows).
    static func rangeCount(start: Int, stop: Int, step: Int) -> Int {
        let (low, high) = step > 0 ? (start, stop) : (stop, start)
        guard high > low else { return 0 }
        let span = UInt(bitPattern: high &- low)  // high - low as an unsigned distance, exact
        let stride = step.magnitude
        let count = (span - 1) / stride + 1
        return count > UInt(Int.max) ? .max : Int(count)
    }
}

/// C/Python `strftime` for the directives chat templates use (`%d %b %Y` in Llama 3.1/3.2).
/// Unknown directives are copied through, as glibc does.
enum Strftime {
    private static let shortDays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    private static let longDays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    private static let shortMonths = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    private static let longMonths = ["January", "February", "March", "April", "May", "June", "July", "August",
                                     "September", "October", "November", "December"]

    static func format(_ format: String, _ date: Date, timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday, .nanosecond], from: date)
        let year = c.year!, month = c.month!, day = c.day!, hour = c.hour!, minute = c.minute!, second = c.second!
        let weekday = (c.weekday! + 5) % 7  // Monday = 0
        let dayOfYear = calendar.ordinality(of: .day, in: .year, for: date) ?? 1
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var out = ""
        var chars = Array(format)[...]
        while let ch = chars.popFirst() {
            guard ch == "%", let d = chars.popFirst() else { out.append(ch); continue }
            switch d {
            case "a": out += shortDays[weekday]
            case "A": out += longDays[weekday]
            case "b", "h": out += shortMonths[month - 1]
            case "B": out += longMonths[month - 1]
            case "d": out += two(day)
            case "e": out += day < 10 ? " \(day)" : "\(day)"
            case "m": out += two(month)
            case "y": out += two(year % 100)
            case "Y": out += String(year)
            case "H": out += two(hour)
            case "I": out += two(hour % 12 == 0 ? 12 : hour % 12)
            case "M": out += two(minute)
            case "S": out += two(second)
            case "p": out += hour < 12 ? "AM" : "PM"
            case "j": out += String(repeating: "0", count: 3 - String(dayOfYear).count) + String(dayOfYear)
            case "f":
                let micro = (c.nanosecond ?? 0) / 1000
                out += String(repeating: "0", count: 6 - String(micro).count) + String(micro)
            case "w": out += String((weekday + 1) % 7)
            case "u": out += String(weekday + 1)
            case "F": out += "\(year)-\(two(month))-\(two(day))"
            case "D": out += "\(two(month))/\(two(day))/\(two(year % 100))"
            case "T": out += "\(two(hour)):\(two(minute)):\(two(second))"
            case "R": out += "\(two(hour)):\(two(minute))"
            case "%": out += "%"
            case "-":
                // glibc's "no padding" flag: %-d, %-m, %-H, ...
                guard let e = chars.popFirst() else { out += "%-"; break }
                switch e {
                case "d": out += String(day)
                case "m": out += String(month)
                case "H": out += String(hour)
                case "I": out += String(hour % 12 == 0 ? 12 : hour % 12)
                case "M": out += String(minute)
                case "S": out += String(second)
                case "j": out += String(dayOfYear)
                default: out += "%-" + String(e)
                }
            default: out += "%" + String(d)
            }
        }
        return out
    }
}
