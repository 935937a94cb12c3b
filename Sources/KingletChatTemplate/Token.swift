/// One lexical token of a template, as jinja2's lexer produces them (comments and raw markers dropped).
struct Token: Sendable {
    enum Kind: Sendable, Equatable {
        /// Literal template text between tags, already whitespace-controlled.
        case data(String)
        case variableBegin, variableEnd
        case blockBegin, blockEnd
        case name(String)
        case string(String)
        case integer(Int)
        case float(Double)
        /// An operator or punctuation: `+ - * / // % ** ~ == != < <= > >= = . : | , ; ( ) [ ] { }`.
        case op(String)
        case eof
    }

    var kind: Kind
    var location: SourceLocation

    /// How jinja2 names the token in its "unexpected ..." messages.
    var describe: String {
        switch kind {
        case .data: return "template data"
        case .variableBegin: return "begin of print statement"
        case .variableEnd: return "end of print statement"
        case .blockBegin: return "begin of statement block"
        case .blockEnd: return "end of statement block"
        case .name(let n): return n
        case .string(let s): return "'\(s)'"
        case .integer(let i): return String(i)
        case .float(let d): return String(d)
        case .op(let o): return o
        case .eof: return "end of template"
        }
    }

    /// True when this token is the bare name `word` (jinja2's `name:word` test).
    func isName(_ word: String) -> Bool {
        if case .name(let n) = kind { return n == word }
        return false
    }

    func isOp(_ symbol: String) -> Bool {
        if case .op(let o) = kind { return o == symbol }
        return false
    }
}
