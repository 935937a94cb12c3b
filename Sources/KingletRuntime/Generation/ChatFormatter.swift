import KingletChatTemplate
import KingletGGUF
import KingletTokenizer

/// Renders a conversation into prompt text with the model's own chat template, or with a
/// built-in one chosen from the architecture and vocabulary when the file has none.
public struct ChatFormatter: Sendable {
    /// The parsed template.
    public let template: ChatTemplate
    /// "model" when the GGUF's template is used, else the built-in's name.
    public let source: String
    /// The texts of the model's BOS and EOS tokens ("" when it has none).
    public let bos: String
    public let eos: String

    /// The formatter for a loaded model.
    public init(engine: Engine) throws {
        try self.init(gguf: engine.gguf, tokenizer: engine.tokenizer)
    }

    /// A formatter for a loaded model that renders with `template` instead of the model's own
    /// (llama-server's `--chat-template-file`); `source` says where it came from.
    public init(engine: Engine, template: ChatTemplate, source: String) {
        self.init(template: template, source: source, tokenizer: engine.tokenizer)
    }

    /// A formatter from a model file's metadata and tokenizer alone (no weights loaded).
    public init(gguf: GGUFFile, tokenizer tok: Tokenizer) throws {
        if let text = gguf.metadata["tokenizer.chat_template"]?.stringValue {
            self.init(template: try ChatTemplate(source: text), source: "model", tokenizer: tok)
        } else {
            let builtin = BuiltinChatTemplate.choose(architecture: gguf.architecture ?? "") {
                tok.id(forTokenText: $0) != nil
            }
            self.init(template: try ChatTemplate(source: builtin.source), source: "built-in \(builtin)", tokenizer: tok)
        }
    }

    private init(template: ChatTemplate, source: String, tokenizer tok: Tokenizer) {
        bos = tok.bos.flatMap { tok.tokenText($0) } ?? ""
        eos = tok.eos.flatMap { tok.tokenText($0) } ?? ""
        self.template = template
        self.source = source
    }

    /// The prompt text for `messages` (ending with the assistant's turn opening when asked), with
    /// `tools` (OpenAI function definitions) in the template's `tools` variable when given.
    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool, tools: [TemplateValue]? = nil) throws -> String {
        try template.render(
            messages: messages,
            addGenerationPrompt: addGenerationPrompt, bosToken: bos, eosToken: eos, tools: tools)
    }
}
