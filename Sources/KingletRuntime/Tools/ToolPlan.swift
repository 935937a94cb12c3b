import KingletChatTemplate
import KingletGrammar

/// A chat request with tools, made ready for one generation: the conversation as the template
/// will render it, the tools for its `tools` variable, the grammar that keeps the answer to the
/// format (when the choice or the format needs one), and the parser of the answer.
///
/// ```swift
/// let plan = try ToolPlan(tools: [weather], choice: .auto, parallel: true,
///                         messages: messages, template: formatter.template)
/// var p = GenerateParameters(); p.constraint = plan.constraint
/// let tokens = try formatter.promptTokens(plan.messages, tokenizer: tok, tools: plan.templateTools)
/// // ... generate `text` ...
/// let answer = plan.parser.result(text)   // content and/or calls
/// ```
///
/// Messages carry earlier calls as the OpenAI wire does: an assistant message's
/// `extra["tool_calls"]` is a list of `{"id", "type": "function", "function": {"name",
/// "arguments"}}` (arguments as an object), a `tool` message's `extra["tool_call_id"]` names the
/// call it answers. Templates that know tools render them as they are; for the generic format they
/// are rewritten into the JSON the model is asked to write and read.
public struct ToolPlan: Sendable {
    public let format: ToolCallFormat
    /// The conversation to render.
    public let messages: [ChatMessage]
    /// The template's `tools` variable (nil: the template sees none).
    public let templateTools: [TemplateValue]?
    /// The grammar the answer must follow (nil: free text, parsed afterwards).
    public let constraint: OutputConstraint?
    /// Reads calls out of the answer.
    public let parser: ToolCallParser

    /// - Throws: ``ToolError`` for a choice naming no tool or a parameters schema the grammar
    ///   cannot enforce.
    public init(tools: [FunctionTool], choice: ToolChoice, parallel: Bool, messages: [ChatMessage],
                template: ChatTemplate) throws(ToolError) {
        let format = ToolCallFormat.detect(template: template.source)
        self.format = format
        let history = format == .generic ? GenericToolPrompt.rewrite(messages) : messages
        guard !tools.isEmpty, choice != .none else {
            self.messages = history
            templateTools = nil
            constraint = nil
            parser = ToolCallParser(format: nil)
            return
        }
        var offered = tools
        if case .function(let name) = choice {
            guard let tool = tools.first(where: { $0.name == name }) else { throw .unknownFunction(name, known: tools.map(\.name)) }
            offered = [tool]
        }
        let mustCall = choice != .auto
        switch format {
        case .generic:
            self.messages = GenericToolPrompt.withSystemPrompt(history, tools: offered, mustCall: mustCall, parallel: parallel)
            templateTools = nil
        case .hermes, .llama3:
            self.messages = history
            templateTools = tools.map(\.templateValue)
        }
        constraint = try ToolGrammar.constraint(format: format, tools: offered, mustCall: mustCall, parallel: parallel)
        parser = ToolCallParser(format: format)
    }
}

/// Why tools could not be offered to the model.
public enum ToolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `tool_choice` names a function that is not among the tools.
    case unknownFunction(String, known: [String])
    /// A function's parameters schema uses a keyword the grammar cannot enforce (or is malformed).
    case unsupportedParameters(function: String, reason: String)

    public var description: String {
        switch self {
        case .unknownFunction(let name, let known):
            return "the tool choice names function '\(name)', which is not among the tools (\(known.joined(separator: ", "))); name one of them"
        case .unsupportedParameters(let function, let reason):
            return "the parameters schema of function '\(function)' cannot be enforced: \(reason)"
        }
    }
}
