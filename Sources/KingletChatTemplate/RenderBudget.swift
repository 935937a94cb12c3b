/// What one render may spend. A chat template is a program from a stranger's file, run on every
/// request: the budget is what guarantees that any template, with any input, finishes quickly
/// with output or a `TemplateError.budgetExceeded`, in bounded memory and stack.
///
/// The defaults are far above what real chat templates need (each of llama.cpp's templates renders
/// a short conversation in under 1,300 steps, nesting under 26 levels, output under 7 KB) and far
/// below what would hurt a server: in a release build, a render that spends all its steps ends
/// within about a second.
///
/// - `maxSteps` is what guarantees termination. One step is charged per statement, expression
///   node, loop iteration and macro call, per element of a list built or scanned, per 16 bytes
///   of text built or scanned, and per element compared; so every loop, recursion and blow-up
///   runs out of steps. `timeLimit` is only a backstop.
/// - `maxStringBytes` and `maxCollectionCount` bound every single value, checked before it is
///   built (`'x' * 10**9`, `range(10**12)`, `replace`, `join`, `center(10**12)` never allocate).
/// - `maxOutputBytes` bounds the rendered text (and every macro, `set` or `filter` block body).
/// - `maxDepth` bounds recursion (statements, expressions, macro calls) and value nesting, so the
///   stack stays small; `maxCallDepth` bounds macro calls in particular.
public struct RenderBudget: Sendable, Hashable {
    /// Rendered text, in UTF-8 bytes. Default 4 MiB.
    public var maxOutputBytes: Int
    /// Evaluation steps (see above). Default 10 million.
    public var maxSteps: Int
    /// Nesting of statements, expressions and macro calls while rendering, and of the lists,
    /// tuples and dicts the template builds or is given. Default 200.
    public var maxDepth: Int
    /// Nested macro calls (a macro calling itself). Default 64.
    public var maxCallDepth: Int
    /// Elements of any list, tuple or dict the template builds. Default 1 Mi (1,048,576).
    public var maxCollectionCount: Int
    /// UTF-8 bytes of any string the template builds. Default 16 MiB.
    public var maxStringBytes: Int
    /// Wall-clock backstop (checked every few thousand steps); nil for none. Default 10 seconds.
    public var timeLimit: Duration?

    /// A budget; every argument defaults to the value documented on its property.
    public init(maxOutputBytes: Int = 4 << 20, maxSteps: Int = 10_000_000, maxDepth: Int = 200,
                maxCallDepth: Int = 64, maxCollectionCount: Int = 1 << 20, maxStringBytes: Int = 16 << 20,
                timeLimit: Duration? = .seconds(10)) {
        self.maxOutputBytes = maxOutputBytes
        self.maxSteps = maxSteps
        self.maxDepth = maxDepth
        self.maxCallDepth = maxCallDepth
        self.maxCollectionCount = maxCollectionCount
        self.maxStringBytes = maxStringBytes
        self.timeLimit = timeLimit
    }

    /// The documented defaults.
    public static let `default` = RenderBudget()

    /// Which limit a render ran into (`TemplateError.budgetExceeded`).
    public enum Limit: String, Sendable, Hashable, CustomStringConvertible {
        /// `maxOutputBytes`: the rendered text (or a macro, `set` or `filter` block body).
        case outputBytes
        /// `maxSteps`: the work of the whole render.
        case steps
        /// `maxDepth`: nested statements, expressions, macro calls or values; also the parser's
        /// `ChatTemplate.maxNesting`.
        case depth
        /// `maxCallDepth`: nested macro calls.
        case callDepth
        /// `maxCollectionCount`: one list, tuple or dict.
        case collectionCount
        /// `maxStringBytes`: one string.
        case stringBytes
        /// `timeLimit`, in milliseconds.
        case time
        /// Not a budget property: the stack a parse or render may use (half the thread's stack),
        /// which only a debug build's large frames on a small stack reach before `maxDepth`.
        case stack

        /// The unit `reached` and `limit` count in.
        var unit: String {
            switch self {
            case .outputBytes, .stringBytes, .stack: return "bytes"
            case .steps: return "steps"
            case .depth, .callDepth: return "levels"
            case .collectionCount: return "elements"
            case .time: return "milliseconds"
            }
        }

        public var description: String {
            switch self {
            case .outputBytes: return "output size"
            case .steps: return "evaluation steps"
            case .depth: return "nesting depth"
            case .callDepth: return "macro call depth"
            case .collectionCount: return "collection size"
            case .stringBytes: return "string size"
            case .time: return "time"
            case .stack: return "stack"
            }
        }

        /// The `RenderBudget` property to raise if the template is legitimate.
        var property: String {
            switch self {
            case .outputBytes: return "maxOutputBytes"
            case .steps: return "maxSteps"
            case .depth: return "maxDepth"
            case .callDepth: return "maxCallDepth"
            case .collectionCount: return "maxCollectionCount"
            case .stringBytes: return "maxStringBytes"
            case .time: return "timeLimit"
            case .stack: return "maxDepth"
            }
        }
    }
}
