/// GBNF for the decimal integers in a range, exactly (no leading zeros; `-0` is not produced).
enum IntegerRange {
    /// An expression matching the integers in `low ... high` (either bound may be absent).
    static func expression(low: Int?, high: Int?) -> String {
        var alternatives: [String] = []
        // Negative part: "-" followed by magnitudes -min(high, -1) ... -low.
        if low.map({ $0 < 0 }) ?? true {
            let loMag = -min(high ?? -1, -1)
            let hiMag = low.map { -$0 }
            if hiMag.map({ $0 >= loMag }) ?? true {
                alternatives.append("\"-\" " + nonNegative(low: loMag, high: hiMag))
            }
        }
        // Non-negative part.
        let lo = max(low ?? 0, 0)
        if high.map({ $0 >= lo }) ?? true {
            alternatives.append(nonNegative(low: lo, high: high))
        }
        return alternatives.isEmpty ? "" : "(" + alternatives.joined(separator: " | ") + ")"
    }

    /// Integers `low ... high` with `low >= 0`; `high == nil` is unbounded.
    static func nonNegative(low: Int, high: Int?) -> String {
        let loDigits = String(low).count
        var parts: [String] = []
        let maxDigits = high.map { String($0).count }
        for length in loDigits ... (maxDigits ?? loDigits) {
            let first = length == 1 ? 0 : pow10(length - 1)
            let last = length >= 19 ? Int.max : pow10(length) - 1
            let a = max(low, first), b = min(high ?? Int.max, last)
            if a <= b { parts.append(sameLength(Array(String(a).utf8), Array(String(b).utf8))) }
        }
        if high == nil {
            // Every number with more digits than `low` (capped at 19 digits).
            let longer = loDigits + 1
            if longer <= 19 { parts.append("[1-9] [0-9]{\(longer - 1),18}") }
        }
        return "(" + parts.joined(separator: " | ") + ")"
    }

    private static func pow10(_ n: Int) -> Int {
        var v = 1
        for _ in 0 ..< n { v = v.multipliedReportingOverflow(by: 10).partialValue }
        return v
    }

    /// Digit strings of one length between `a` and `b` (inclusive, same length).
    private static func sameLength(_ a: [UInt8], _ b: [UInt8]) -> String {
        guard let a0 = a.first, let b0 = b.first else { return "\"\"" }
        let restA = Array(a.dropFirst()), restB = Array(b.dropFirst())
        let n = restA.count
        func digit(_ d: UInt8) -> String { "\"" + String(UnicodeScalar(d)) + "\"" }
        func range(_ lo: UInt8, _ hi: UInt8) -> String { lo == hi ? digit(lo) : "[" + String(UnicodeScalar(lo)) + "-" + String(UnicodeScalar(hi)) + "]" }
        func any(_ count: Int) -> String { count == 0 ? "" : " [0-9]{\(count)}" }
        if a0 == b0 { return n == 0 ? digit(a0) : digit(a0) + " " + sameLength(restA, restB) }
        var alts: [String] = []
        let allZero = restA.allSatisfy { $0 == UInt8(ascii: "0") }, allNine = restB.allSatisfy { $0 == UInt8(ascii: "9") }
        let midLo = allZero ? a0 : a0 + 1, midHi = allNine ? b0 : b0 - 1
        if !allZero { alts.append(digit(a0) + " " + sameLength(restA, Array(repeating: UInt8(ascii: "9"), count: n))) }
        if midLo <= midHi { alts.append(range(midLo, midHi) + any(n)) }
        if !allNine { alts.append(digit(b0) + " " + sameLength(Array(repeating: UInt8(ascii: "0"), count: n), restB)) }
        return alts.count == 1 ? alts[0] : "(" + alts.joined(separator: " | ") + ")"
    }
}
