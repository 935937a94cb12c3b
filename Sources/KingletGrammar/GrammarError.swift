/// Everything that can go wrong building a grammar, converting a schema, or matching.
///
/// Each case carries enough context to point at the cause; ``hint`` says what to do about it.
public enum GrammarError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The GBNF text does not parse: what was expected, and where.
    case syntax(String, at: SourceLocation)
    /// A rule refers to a rule that is not defined.
    case undefinedRule(String, at: SourceLocation)
    /// A rule is defined twice.
    case duplicateRule(String, at: SourceLocation)
    /// The grammar has no `root` rule.
    case missingRoot
    /// The rule can reach itself without consuming input (left recursion, or a repetition of
    /// something that can be empty); a pushdown matcher would loop forever on it.
    case leftRecursion(rule: String)
    /// A character class that matches no character at all (e.g. `[^\x00-\U0010FFFF]`).
    case emptyCharacterClass(at: SourceLocation)
    /// A GBNF feature this engine does not implement (token references `<[id]>`, `<text>`).
    case unsupported(String, at: SourceLocation)
    /// The compiled grammar would exceed a size limit (repetition counts too large, too many rules).
    case tooLarge(String)
    /// Matching needed more simultaneous parse stacks, or deeper ones, than the limit allows.
    case tooManyStates(limit: Int)
    /// The bytes do not continue any sentence of the grammar; `offset` is the first rejected byte.
    case rejected(offset: Int)
    /// A token id outside the vocabulary, or a special token fed as text.
    case invalidToken(Int32)
    /// A JSON Schema keyword (or keyword value) the converter does not enforce, at a JSON path
    /// such as `$.properties.age.multipleOf`. Never silently ignored.
    case unsupportedSchema(keyword: String, path: String, reason: String)
    /// The schema itself is malformed (not JSON, wrong value type for a keyword, bad `$ref`).
    case invalidSchema(String, path: String)

    public var description: String {
        switch self {
        case .syntax(let what, let at): return "grammar syntax error at \(at): \(what). \(hint)"
        case .undefinedRule(let name, let at): return "undefined rule '\(name)' at \(at). \(hint)"
        case .duplicateRule(let name, let at): return "rule '\(name)' defined twice (second at \(at)). \(hint)"
        case .missingRoot: return "the grammar has no 'root' rule. \(hint)"
        case .leftRecursion(let rule): return "rule '\(rule)' can reach itself without consuming input. \(hint)"
        case .emptyCharacterClass(let at): return "character class at \(at) matches nothing. \(hint)"
        case .unsupported(let what, let at): return "unsupported GBNF feature at \(at): \(what). \(hint)"
        case .tooLarge(let what): return "grammar too large: \(what). \(hint)"
        case .tooManyStates(let limit): return "matching needs more than \(limit) parse stacks. \(hint)"
        case .rejected(let offset): return "the grammar rejects byte \(offset) of the input"
        case .invalidToken(let id): return "token \(id) cannot be matched as text. \(hint)"
        case .unsupportedSchema(let keyword, let path, let reason):
            return "JSON Schema keyword '\(keyword)' at \(path) is not enforced: \(reason). \(hint)"
        case .invalidSchema(let what, let path): return "invalid JSON Schema at \(path): \(what)"
        }
    }

    /// What to do about the error.
    public var hint: String {
        switch self {
        case .syntax: return "Rules look like `name ::= \"literal\" other-rule [a-z]* | (group)?`."
        case .undefinedRule: return "Define the rule, or fix the name (names are letters, digits and '-')."
        case .duplicateRule: return "Join the two definitions with '|'."
        case .missingRoot: return "Add `root ::= ...`: generation starts there."
        case .leftRecursion: return "Rewrite it right-recursive (`list ::= item list?`) or with repetition (`item+`)."
        case .emptyCharacterClass: return "Remove the class or widen it."
        case .unsupported: return "Match the token's text as a string literal instead."
        case .tooLarge: return "Use smaller repetition bounds ({m,n}) or a smaller schema."
        case .tooManyStates: return "The grammar is too ambiguous: make alternatives start differently."
        case .rejected: return ""
        case .invalidToken: return "Special tokens are never text; end-of-generation is allowed only where the grammar accepts."
        case .unsupportedSchema: return "Remove the keyword or express it with a supported one (README: Constrained output)."
        case .invalidSchema: return ""
        }
    }
}
