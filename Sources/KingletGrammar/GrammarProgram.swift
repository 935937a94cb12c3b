/// A compiled grammar: rules flattened into one array of instructions over bytes.
///
/// Each rule has alternatives; an alternative is a run of instructions ending in `end`. An
/// instruction at position `pc` either matches one byte from a set (`bytes`), calls a rule
/// (`call`: the matcher pushes `pc + 1` as the return position, unless it is an `end`, so
/// right recursion runs in constant stack), or ends the alternative (`end`: pop).
struct GrammarProgram: Sendable {
    enum Kind: UInt8, Sendable { case bytes, call, end }

    /// Instruction kind per position.
    var kinds: [Kind] = []
    /// For `call`: the rule index. Unused otherwise.
    var callees: [Int32] = []
    /// For `bytes`: the set of bytes matched. Empty otherwise.
    var byteSets: [ByteSet] = []
    /// Start position of each alternative, per rule.
    var alternatives: [[Int32]] = []
    /// Rule names (generated rules are named after the rule they came from, e.g. `value-3`).
    var ruleNames: [String] = []
    /// The `root` rule's index.
    var root: Int32 = 0

    var count: Int { kinds.count }

    /// Whether some rule has no alternative (e.g. an empty character class): expanding into it
    /// yields no stack, so popping into an unknown stack may lead nowhere.
    var hasRuleMatchingNothing: Bool { alternatives.contains { $0.isEmpty } }
}

/// One item of a rule body while compiling: a byte set or a call.
enum CompiledItem: Hashable {
    case bytes(ByteSet)
    case call(Int32)
}
