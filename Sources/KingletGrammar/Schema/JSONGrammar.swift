/// The generic JSON grammars, and the GBNF pieces the schema converter shares with them.
extension Grammar {
    /// Rules for JSON values: `value`, `object`, `array`, `string`, `char`, `number`, `integer`,
    /// `boolean`, `null`, `ws`. Whitespace is at most 20 blanks or newlines at a time, numbers at
    /// most 16 integer digits (a subset of JSON: every sentence is valid JSON).
    static let jsonRules = #"""
    value   ::= object | array | string | number | boolean | null
    object  ::= "{" ws ( member ( "," ws member )* )? "}"
    member  ::= string ws ":" ws value ws
    array   ::= "[" ws ( value ws ( "," ws value ws )* )? "]"
    string  ::= "\"" char* "\""
    char    ::= [^"\\\x00-\x1F] | "\\" ( ["\\/bfnrt] | "u" hex4 )
    hex4    ::= ( [0-9a-cA-CefEF] [0-9a-fA-F] | [dD] [0-7] ) [0-9a-fA-F]{2}
    number  ::= integer ( "." [0-9]{1,16} )? ( [eE] [-+]? [0-9]{1,3} )?
    integer ::= "-"? ( "0" | [1-9] [0-9]{0,15} )
    boolean ::= "true" | "false"
    null    ::= "null"
    ws      ::= [ \t\n]{0,20}
    """#

    /// Any JSON value (`--json`, llama.cpp's `json.gbnf` in spirit). Escapes `\u` are limited to
    /// non-surrogates, so every string has the length its characters suggest.
    public static let json: Grammar = jsonGrammar(root: "value")

    /// Any JSON object (OpenAI's `response_format: {"type": "json_object"}`).
    public static let jsonObject: Grammar = jsonGrammar(root: "object")

    private static func jsonGrammar(root: String) -> Grammar {
        // The text is a constant tested in the suite: it always compiles.
        do { return try Grammar(gbnf: "root ::= \(root)\n" + jsonRules) } catch { preconditionFailure("built-in JSON grammar: \(error)") }
    }
}

/// Writing GBNF text.
enum GBNF {
    /// A GBNF string literal matching `text` exactly.
    static func literal(_ text: String) -> String {
        JSONValue.quoted(text, short: [:], escapeAlso: { $0 == 0x7F }, hex: hex)
    }

    /// A GBNF character class for a set of code points (every bound escaped).
    static func characterClass(_ set: CodePointSet) -> String {
        "[" + set.ranges.map { $0.lowerBound == $0.upperBound ? hex($0.lowerBound) : hex($0.lowerBound) + "-" + hex($0.upperBound) }.joined() + "]"
    }

    static func hex(_ v: UInt32) -> String {
        let h = String(v, radix: 16)
        return "\\U" + String(repeating: "0", count: 8 - h.count) + h
    }
}
