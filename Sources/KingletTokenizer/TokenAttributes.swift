/// The kind of a vocabulary entry as stored in `tokenizer.ggml.token_type`.
public enum TokenType: Int, Sendable, CaseIterable {
    case undefined = 0
    case normal = 1
    case unknown = 2
    case control = 3
    case userDefined = 4
    case unused = 5
    case byte = 6

    /// The type for a raw `token_type` value; anything outside 0...6 is `.undefined`, as in llama.cpp.
    public init(raw: Int) {
        self = TokenType(rawValue: raw) ?? .undefined
    }
}

/// Per-token attributes, derived from the token type and adjusted by name-based detection
/// (llama.cpp marks tokens such as `<|im_end|>` as control even when the file says normal).
public struct TokenAttributes: OptionSet, Sendable, Hashable {
    /// The attribute bits (llama.cpp's `llama_token_attr` values).
    public let rawValue: UInt16
    /// Attributes from their bits.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// The unknown-token placeholder (`<unk>`): cut out of text, rendered only as special.
    public static let unknown = TokenAttributes(rawValue: 1 << 0)
    /// Reserved and never produced (`<unused12>`).
    public static let unused = TokenAttributes(rawValue: 1 << 1)
    /// An ordinary piece of text.
    public static let normal = TokenAttributes(rawValue: 1 << 2)
    /// A control token (`<|im_start|>`): cut out of text when parsing special tokens, rendered
    /// only as special.
    public static let control = TokenAttributes(rawValue: 1 << 3)
    /// A token added by the model's authors: always cut out of text and always rendered.
    public static let userDefined = TokenAttributes(rawValue: 1 << 4)
    /// One raw byte, written `<0xAB>` (SentencePiece byte fallback).
    public static let byte = TokenAttributes(rawValue: 1 << 5)
    /// Cutting this token out of text also removes the ASCII whitespace before it.
    public static let leftStrip = TokenAttributes(rawValue: 1 << 7)
    /// Cutting this token out of text also removes the ASCII whitespace after it.
    public static let rightStrip = TokenAttributes(rawValue: 1 << 8)

    /// Tokens that are cut out of text before pre-tokenization.
    static let partitioned: TokenAttributes = [.control, .userDefined, .unknown]
    /// Tokens that render as nothing unless special rendering is asked for.
    static let hiddenUnlessSpecial: TokenAttributes = [.control, .unknown]

    /// The attributes a token of `type` starts with.
    public init(_ type: TokenType) {
        switch type {
        case .undefined: self = []
        case .normal: self = .normal
        case .unknown: self = .unknown
        case .control: self = .control
        case .userDefined: self = .userDefined
        case .unused: self = .unused
        case .byte: self = .byte
        }
    }
}
