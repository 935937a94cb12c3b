import Foundation

/// A parsed Jinja chat template (GGUF `tokenizer.chat_template`), rendered as Python's jinja2
/// renders it in Hugging Face transformers: `ImmutableSandboxedEnvironment(trim_blocks=True,
/// lstrip_blocks=True)` with `raise_exception`, `strftime_now`, `namespace`, loop controls and
/// HF's `tojson` (`json.dumps(x, ensure_ascii=False, ...)`, keys in insertion order).
///
/// Parse once, render many times; rendering is thread-safe.
public struct ChatTemplate: Sendable {
    /// The template text as given.
    public let source: String
    private let nodes: [Node]
    /// The clock `strftime_now` reads; replace it for reproducible output.
    public var now: @Sendable () -> Date = { Date() }
    /// The time zone `strftime_now` formats in (Python's `datetime.now()` is local time).
    public var timeZone: TimeZone = .current

    /// Parses a template. Throws `TemplateError.syntax` or `.unsupported` with the line and column.
    public init(source: String) throws(TemplateError) {
        self.source = source
        nodes = try Parser.parse(source)
    }

    /// Renders with the given variables. Names not in `context` are jinja2 `Undefined`.
    public func render(_ context: [String: TemplateValue]) throws(TemplateError) -> String {
        let renderer = Renderer(limits: RenderLimits(), now: now(), timeZone: timeZone)
        return try renderer.render(nodes, context: context.mapValues(\.runtimeValue))
    }

    /// Renders a conversation the way `tokenizer.apply_chat_template` does: `messages`,
    /// `add_generation_prompt`, `bos_token`, `eos_token`, `tools` (None when absent, as in
    /// transformers) and `documents` (None), plus any `extra` variables (which win on conflict).
    public func render(messages: [ChatMessage], addGenerationPrompt: Bool, bosToken: String, eosToken: String,
                       tools: [TemplateValue]? = nil, extra: [String: TemplateValue] = [:]) throws(TemplateError) -> String {
        var context: [String: TemplateValue] = [
            "messages": .array(messages.map(\.templateValue)),
            "add_generation_prompt": .bool(addGenerationPrompt),
            "bos_token": .string(bosToken),
            "eos_token": .string(eosToken),
            "tools": tools.map { .array($0) } ?? .null,
            "documents": .null,
        ]
        context.merge(extra) { _, new in new }
        return try render(context)
    }
}
