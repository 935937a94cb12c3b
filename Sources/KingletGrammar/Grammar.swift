/// A compiled grammar: what a constrained generation may produce.
///
/// Built from llama.cpp's GBNF language (existing `.gbnf` files work unchanged; token references
/// `<[id]>` are refused), from a JSON Schema (``init(jsonSchema:)``), or the generic JSON grammar
/// (``json``). Immutable and `Sendable`: build once, then make a ``GrammarMatcher`` per sequence.
///
/// ```swift
/// let grammar = try Grammar(gbnf: #"root ::= "yes" | "no""#)
/// let matcher = try GrammarMatcher(grammar: grammar)
/// try matcher.accept(bytes: Array("ye".utf8))   // matcher.isAccepting == false
/// ```
public struct Grammar: Sendable, CustomStringConvertible {
    let program: GrammarProgram

    /// Parses and compiles GBNF text.
    ///
    /// - Throws: ``GrammarError`` with a line and column for syntax errors, the rule name for
    ///   undefined or left-recursive rules, ``GrammarError/tooLarge(_:)`` past the size limits.
    public init(gbnf: String) throws(GrammarError) {
        program = try GrammarCompiler.compile(try GBNFParser.parse(gbnf))
    }

    /// The number of rules after compilation (groups and repetitions generate rules).
    public var ruleCount: Int { program.ruleNames.count }

    /// The number of compiled byte-level instructions.
    public var instructionCount: Int { program.count }

    public var description: String { "Grammar(\(ruleCount) rules, \(instructionCount) instructions)" }
}
