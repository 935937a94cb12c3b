import Foundation

/// A parsed Jinja chat template (GGUF `tokenizer.chat_template`), rendered as Python's jinja2
/// renders it in Hugging Face transformers: `ImmutableSandboxedEnvironment(trim_blocks=True,
/// lstrip_blocks=True)` with `raise_exception`, `strftime_now`, `namespace`, loop controls and
/// HF's `tojson` (`json.dumps(x, ensure_ascii=False, ...)`, keys in insertion order).
///
/// Parse once, render many times; rendering is thread-safe. A template is a program from a
/// stranger's file: nothing it does, with any input, crashes or hangs the process. Parsing
/// refuses sources nesting deeper than `maxNesting`; each render spends at most its
/// `RenderBudget` and otherwise throws `TemplateError.budgetExceeded`.
public struct ChatTemplate: Sendable {
    /// How deep blocks and expressions may nest in the source (parentheses, `{% if %}`, `a + b + ...`).
    public static let maxNesting = Parser.maxDepth

    /// The template text as given.
    public let source: String
    private let nodes: [Node]
    /// The clock `strftime_now` reads; replace it for reproducible output.
    public var now: @Sendable () -> Date = { Date() }
    /// The time zone `strftime_now` formats in (Python's `datetime.now()` is local time).
    public var timeZone: TimeZone = .current

    /// Parses a template. Throws `TemplateError.syntax` or `.unsupported` with the line and column,
    /// `.budgetExceeded(.depth, ...)` past `maxNesting`.
    public init(source: String) throws(TemplateError) {
        self.source = source
        nodes = try Parser.parse(source)
    }

    /// Renders with the given variables. Names not in `context` are jinja2 `Undefined`.
    /// Throws `.budgetExceeded` when the render would pass `budget` (context values nesting
    /// deeper than `budget.maxDepth` are refused at line 0).
    public func render(_ context: [String: TemplateValue], budget: RenderBudget = .default) throws(TemplateError) -> String {
        for value in context.values where !value.nests(within: budget.maxDepth) {
            throw .budgetExceeded(.depth, limit: budget.maxDepth, reached: budget.maxDepth + 1, at: SourceLocation(line: 0, column: 0))
        }
        let renderer = Renderer(budget: budget, now: now(), timeZone: timeZone)
        return try renderer.render(nodes, context: context.mapValues(\.runtimeValue))
    }

    /// Renders a conversation the way `tokenizer.apply_chat_template` does: `messages`,
    /// `add_generation_prompt`, `bos_token`, `eos_token`, `tools` (None when absent, as in
    /// transformers) and `documents` (None), plus any `extra` variables (which win on conflict).
    public func render(messages: [ChatMessage], addGenerationPrompt: Bool, bosToken: String, eosToken: String,
                       tools: [TemplateValue]? = nil, extra: [String: TemplateValue] = [:],
                       budget: RenderBudget = .default) throws(TemplateError) -> String {
        var context: [String: TemplateValue] = [
            "messages": .array(messages.map(\.templateValue)),
            "add_generation_prompt": .bool(addGenerationPrompt),
            "bos_token": .string(bosToken),
            "eos_token": .string(eosToken),
            "tools": tools.map { .array($0) } ?? .null,
            "documents": .null,
        ]
        context.merge(extra) { _, new in new }
        return try render(context, budget: budget)
    }
}
