import KingletChatTemplate
import KingletTokenizer

/// The one way a conversation becomes prompt tokens: rendered with the model's chat template,
/// then tokenized so that only the template's own markup can produce control tokens.
///
/// Message content is data. Text inside a message that spells a special token (a user typing
/// `<|im_start|>system`, or a pasted document that contains one) stays plain text, so nobody can
/// forge a turn. Each such place in the content is marked with a private-use code point before
/// rendering; the rendered text is tokenized with special tokens recognised everywhere except at
/// the marked offsets, and the marks are removed. Whole-text tokenization is kept (no splitting
/// at content boundaries), so a conversation without such text tokenizes exactly as llama.cpp
/// tokenizes it.
extension ChatFormatter {
    /// The prompt tokens of `messages` (BOS as the template places it). `tools` (OpenAI function
    /// definitions as template values) go to the template's `tools` variable; their text is data
    /// as the messages' is.
    ///
    /// - Parameters:
    ///   - messages: the conversation.
    ///   - tokenizer: the model's tokenizer.
    ///   - addGenerationPrompt: end with the assistant's turn opening (the template's flag).
    ///   - tools: OpenAI tool objects for the template's `tools` variable, or nil.
    ///   - specialTokensInContent: the old, unsafe behaviour: special-token text inside
    ///     content becomes special tokens (for trusted callers that build turns by hand).
    public func promptTokens(_ messages: [ChatMessage], tokenizer: Tokenizer, addGenerationPrompt: Bool = true,
                             tools: [TemplateValue]? = nil, specialTokensInContent: Bool = false) throws -> [Int32] {
        if specialTokensInContent {
            return tokenizer.encode(try render(messages, addGenerationPrompt: addGenerationPrompt, tools: tools),
                                    addSpecial: false, parseSpecial: true)
        }
        let prompt = try renderMarked(messages, tokenizer: tokenizer, addGenerationPrompt: addGenerationPrompt, tools: tools)
        return tokenizer.encode(prompt.text, addSpecial: false, parseSpecial: true, literalAt: prompt.literalAt)
    }

    /// The rendered prompt and the byte offsets where special-token text came from content.
    func renderMarked(_ messages: [ChatMessage], tokenizer: Tokenizer, addGenerationPrompt: Bool,
                      tools: [TemplateValue]? = nil) throws -> (text: String, literalAt: Set<Int>) {
        guard let mark = ContentMark.choose(avoiding: messages, tools: tools ?? [], template: template.source) else {
            throw ChatPromptError.noFreeMark
        }
        var marked = 0
        let input = messages.map { m -> ChatMessage in
            var m = m
            m.content = mark.insert(into: m.content, at: tokenizer.specialTokenOccurrences(in: m.content), count: &marked)
            m.extra = mark.insert(into: m.extra, tokenizer: tokenizer, count: &marked)
            return m
        }
        let markedTools = tools?.map { mark.insert(into: $0, tokenizer: tokenizer, count: &marked) }
        let rendered = try render(input, addGenerationPrompt: addGenerationPrompt, tools: markedTools)
        guard marked > 0 else { return (rendered, []) }
        return mark.strip(rendered)
    }
}

/// Why a conversation could not be made into a prompt safely.
public enum ChatPromptError: Error, Sendable, Equatable, CustomStringConvertible {
    case noFreeMark

    public var description: String {
        switch self {
        case .noFreeMark:
            return "the messages use every private-use code point Kinglet marks content with (U+F0000…U+FFFFD); remove them from the messages"
        }
    }
}

/// A code point that marks where special-token text from content begins.
struct ContentMark {
    /// Supplementary Private Use Area-A: no text in use assigns these.
    static let candidates: ClosedRange<UInt32> = 0xF0000 ... 0xFFFFD
    let scalar: Unicode.Scalar
    private var utf8: [UInt8] { Array(String(Character(scalar)).utf8) }

    /// The first of U+F0000…U+FFFFD that occurs in no message, no tool and not in the template.
    static func choose(avoiding messages: [ChatMessage], tools: [TemplateValue] = [], template: String) -> ContentMark? {
        var used = Set<UInt32>()
        collect(template, into: &used)
        for t in tools { collect(t, into: &used) }
        for m in messages {
            collect(m.content, into: &used)
            collect(.object(m.extra), into: &used)
        }
        guard let free = ContentMark.candidates.first(where: { !used.contains($0) }) else { return nil }
        return ContentMark(scalar: Unicode.Scalar(free)!)
    }

    private static func collect(_ s: String, into used: inout Set<UInt32>) {
        for u in s.unicodeScalars where ContentMark.candidates.contains(u.value) { used.insert(u.value) }
    }

    private static func collect(_ v: TemplateValue, into used: inout Set<UInt32>) {
        switch v {
        case .string(let s): collect(s, into: &used)
        case .array(let a): for e in a { collect(e, into: &used) }
        case .object(let o): for (_, e) in o.entries { collect(e, into: &used) }
        default: break
        }
    }

    /// `text` with the mark before each byte offset in `offsets` (ascending).
    func insert(into text: String, at offsets: [Int], count: inout Int) -> String {
        guard !offsets.isEmpty else { return text }
        let bytes = Array(text.utf8), m = utf8
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + offsets.count * m.count)
        var from = 0
        for o in offsets {
            out.append(contentsOf: bytes[from ..< o])
            out.append(contentsOf: m)
            from = o
        }
        out.append(contentsOf: bytes[from...])
        count += offsets.count
        return String(decoding: out, as: UTF8.self)
    }

    /// Every string inside `object` (tool calls, names, …) marked the same way.
    func insert(into object: TemplateObject, tokenizer: Tokenizer, count: inout Int) -> TemplateObject {
        var out = object
        for (k, v) in object.entries { out[k] = insert(into: v, tokenizer: tokenizer, count: &count) }
        return out
    }

    func insert(into value: TemplateValue, tokenizer: Tokenizer, count: inout Int) -> TemplateValue {
        switch value {
        case .string(let s): return .string(insert(into: s, at: tokenizer.specialTokenOccurrences(in: s), count: &count))
        case .array(let a): return .array(a.map { insert(into: $0, tokenizer: tokenizer, count: &count) })
        case .object(let o): return .object(insert(into: o, tokenizer: tokenizer, count: &count))
        default: return value
        }
    }

    /// The rendered text without marks, and the byte offsets (in that text) that followed a mark.
    func strip(_ rendered: String) -> (text: String, literalAt: Set<Int>) {
        let m = utf8
        let bytes = Array(rendered.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var literal = Set<Int>()
        var i = 0
        while i < bytes.count {
            if bytes[i] == m[0], i + m.count <= bytes.count, bytes[i ..< i + m.count].elementsEqual(m) {
                literal.insert(out.count)
                i += m.count
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return (String(decoding: out, as: UTF8.self), literal)
    }
}
