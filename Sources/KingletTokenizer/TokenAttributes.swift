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
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let unknown = TokenAttributes(rawValue: 1 << 0)
    public static let unused = TokenAttributes(rawValue: 1 << 1)
    public static let normal = TokenAttributes(rawValue: 1 << 2)
    public static let control = TokenAttributes(rawValue: 1 << 3)
    public static let userDefined = TokenAttributes(rawValue: 1 << 4)
    public static let byte = TokenAttributes(rawValue: 1 << 5)

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
