import KingletChatTemplate
import KingletTokenizer

/// Renders a conversation into prompt text with the model's own chat template, or with a
/// built-in one chosen from the architecture and vocabulary when the file has none.
public struct ChatFormatter {
    public let template: ChatTemplate
    /// "model" when the GGUF's template is used, else the built-in's name.
    public let source: String
    let bos: String
    let eos: String

    public init(engine: Engine) throws {
        let tok = engine.tokenizer
        bos = tok.bos.flatMap { tok.tokenText($0) } ?? ""
        eos = tok.eos.flatMap { tok.tokenText($0) } ?? ""
        if let text = engine.gguf.metadata["tokenizer.chat_template"]?.stringValue {
            template = try ChatTemplate(source: text)
            source = "model"
        } else {
            let builtin = BuiltinChatTemplate.choose(architecture: engine.gguf.architecture ?? "") {
                tok.id(forTokenText: $0) != nil
            }
            template = try ChatTemplate(source: builtin.source)
            source = "built-in \(builtin)"
        }
    }

    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool) throws -> String {
        try template.render(
            messages: messages,
            addGenerationPrompt: addGenerationPrompt, bosToken: bos, eosToken: eos)
    }
}
