import Foundation
import KingletChatTemplate
import KingletGGUF
import KingletRuntime
import KingletTokenizer

/// The teacher's tokenizer and chat template, loaded from its GGUF without the weights: turns a
/// remote teacher's prompt and reply text into the token ids a local model of the same family
/// would have seen and produced.
public struct TeacherTokenizer: Sendable {
    public let tokenizer: Tokenizer
    public let formatter: ChatFormatter
    /// The end-of-generation token the chat template puts after an assistant turn (nil when the
    /// template ends turns with none): appended to a reply that stopped on its own.
    public let endToken: Int32?

    /// From a model file (memory-mapped; the weights are not read).
    public init(gguf: GGUFFile) throws {
        let tokenizer = try Tokenizer(gguf: gguf)
        try self.init(tokenizer: tokenizer, formatter: try ChatFormatter(gguf: gguf, tokenizer: tokenizer))
    }

    /// From a loaded engine.
    public init(engine: Engine) throws {
        try self.init(tokenizer: engine.tokenizer, formatter: try ChatFormatter(engine: engine))
    }

    init(tokenizer: Tokenizer, formatter: ChatFormatter) throws {
        self.tokenizer = tokenizer
        self.formatter = formatter
        endToken = try Self.endOfTurn(tokenizer: tokenizer, formatter: formatter)
    }

    /// The rendered prompt's ids (generation prompt added), as `Engine.tokens(for: .chat(...))`.
    public func promptTokens(_ messages: [ChatMessage]) throws -> [Int] {
        try formatter.promptTokens(messages, tokenizer: tokenizer).map(Int.init)
    }

    /// The reply's ids: the text (special-token text kept literal, as a model's output is), then
    /// `endToken` when the reply stopped on its own.
    public func completionTokens(_ text: String, stopped: Bool) -> [Int] {
        var ids = tokenizer.encode(text, addSpecial: false, parseSpecial: false).map(Int.init)
        if stopped, let endToken { ids.append(Int(endToken)) }
        return ids
    }

    /// Renders a user turn and an assistant reply, and returns the first end-of-generation token
    /// that follows the reply's text; else the tokenizer's end-of-turn or end-of-sequence token.
    static func endOfTurn(tokenizer: Tokenizer, formatter: ChatFormatter) throws -> Int32? {
        let marker = "kinglet-reply-marker"
        let text = try formatter.render([ChatMessage(role: "user", content: "Hi"), ChatMessage(role: "assistant", content: marker)],
                                        addGenerationPrompt: false)
        if let r = text.range(of: marker, options: .backwards) {
            let after = tokenizer.encode(String(text[r.upperBound...]), addSpecial: false, parseSpecial: true)
            if let end = after.first(where: tokenizer.isEndOfGeneration) { return end }
        }
        return tokenizer.eot ?? tokenizer.eos
    }
}
