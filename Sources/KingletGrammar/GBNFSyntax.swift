/// The parsed form of a GBNF grammar, before compilation: one tree per rule.
indirect enum GBNFNode: Sendable, Equatable {
    /// A string literal, as Unicode scalars.
    case literal([UInt32])
    /// A character class, already resolved to the set of scalars it matches (negation applied).
    case charClass(CodePointSet, at: SourceLocation)
    /// `.`: any one character.
    case any
    /// A reference to another rule.
    case ruleRef(String, at: SourceLocation)
    /// Items one after another (an empty sequence matches the empty string).
    case sequence([GBNFNode])
    /// Alternatives separated by `|`.
    case choice([GBNFNode])
    /// `x*`, `x+`, `x?`, `x{m}`, `x{m,}`, `x{m,n}`: `max == nil` is unbounded.
    case repetition(GBNFNode, min: Int, max: Int?)
}

/// One `name ::= body` definition.
struct GBNFRule: Sendable, Equatable {
    var name: String
    var location: SourceLocation
    var body: GBNFNode
}
