import Foundation

/// Everything that can go wrong while parsing or rendering a chat template.
///
/// A user's bad template never crashes the process: every failure, including runaway
/// loops and recursion, ends up here with the position in the template and a hint.
public enum TemplateError: Error, Sendable, Equatable, LocalizedError {
    /// The template is not valid Jinja (unbalanced tags, bad expression, ...).
    case syntax(String, at: SourceLocation)
    /// Valid Jinja, but a construct this interpreter does not implement (`extends`, an unknown filter, ...).
    case unsupported(construct: String, at: SourceLocation)
    /// An operation that jinja2's default `Undefined` refuses (attribute of an undefined name, arithmetic, ...).
    case undefined(String, at: SourceLocation)
    /// An operation on values of the wrong type, as Python would raise `TypeError`/`ValueError`.
    case type(String, at: SourceLocation)
    /// The template called `raise_exception(message)`.
    case raised(message: String, at: SourceLocation)
    /// A value left the range Kinglet can represent: 64-bit integer overflow, an integer literal
    /// too long, a float that has no integer value.
    case limitExceeded(String, at: SourceLocation)
    /// The render ran past one of its `RenderBudget` limits (or the source nests deeper than the
    /// parser allows, as `.depth`): which limit, its value, and the value the template reached
    /// (`Int.max` when that does not fit in an `Int`). At line 0 the render context itself is at fault.
    case budgetExceeded(RenderBudget.Limit, limit: Int, reached: Int, at: SourceLocation)
    /// A JSON document (a context or messages file) could not be read; `offset` is the byte
    /// where, when the problem is one of syntax.
    case invalidJSON(String, offset: Int?)

    /// Where in the template the error was found, when it comes from a template.
    public var location: SourceLocation? {
        switch self {
        case .syntax(_, let at), .unsupported(_, let at), .undefined(_, let at), .type(_, let at),
             .raised(_, let at), .limitExceeded(_, let at), .budgetExceeded(_, _, _, let at):
            return at
        case .invalidJSON:
            return nil
        }
    }

    /// What to do about it.
    public var hint: String {
        switch self {
        case .syntax:
            return "Check the tag and expression syntax near this position; the template may be truncated or not Jinja."
        case .unsupported:
            return "Kinglet implements the Jinja subset used by chat templates; pass a simpler template or use a built-in one."
        case .undefined:
            return "Pass the missing variable in the render context, or guard it with `is defined`."
        case .type:
            return "Check the types of the values passed in the context (messages, tools, ...)."
        case .raised:
            return "The chat template rejected its input; fix the messages (roles, order) it complains about."
        case .limitExceeded:
            return "Template integers are 64-bit; the template computes with values out of that range."
        case .budgetExceeded(.stack, _, _, _):
            return "The template nests too deeply for the stack (a debug build's frames are about ten times larger); "
                + "simplify the template or use a release build."
        case .budgetExceeded(let limit, _, _, _):
            return "The template loops, recurses or grows values without bound, or its input is huge; "
                + "if it is legitimate, raise RenderBudget.\(limit.property)."
        case .invalidJSON:
            return "Check that the file is valid JSON (UTF-8, no trailing commas)."
        }
    }

    public var errorDescription: String? {
        switch self {
        case .syntax(let message, let at):
            return "template syntax error at \(at): \(message). \(hint)"
        case .unsupported(let construct, let at):
            return "unsupported template construct \(construct) at \(at). \(hint)"
        case .undefined(let message, let at):
            return "undefined value at \(at): \(message). \(hint)"
        case .type(let message, let at):
            return "template type error at \(at): \(message). \(hint)"
        case .raised(let message, let at):
            return "template raised an exception at \(at): \(message)"
        case .limitExceeded(let message, let at):
            return "template value out of range at \(at): \(message). \(hint)"
        case .budgetExceeded(let limit, let value, let reached, let at):
            let amount = reached == .max ? "more than \(Int.max)" : String(reached)
            return "template exceeded its \(limit) budget at \(at): reached \(amount) \(limit.unit), "
                + "the limit is \(value). \(hint)"
        case .invalidJSON(let message, let offset):
            return "invalid JSON\(offset.map { " at byte \($0)" } ?? ""): \(message). \(hint)"
        }
    }
}
