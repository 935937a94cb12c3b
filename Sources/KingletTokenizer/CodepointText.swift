/// The regex classes the pre-tokenizers test: `\p{L}`, `\p{N}` and `\s`.
///
/// A scalar in range always has `inRange` set, so a class of 0 means "past the segment end",
/// which the scanners use as llama.cpp uses its `OUT_OF_RANGE` sentinel.
public struct CodepointClass: OptionSet, Sendable, Hashable {
    /// The class bits.
    public let rawValue: UInt8
    /// A class from its bits.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// `\p{L}`: general category Lu, Ll, Lt, Lm or Lo.
    public static let letter = CodepointClass(rawValue: 1)
    /// `\p{N}`: general category Nd, Nl or No.
    public static let number = CodepointClass(rawValue: 2)
    /// `\s`, with llama.cpp's set (see `isWhitespace`).
    public static let whitespace = CodepointClass(rawValue: 4)
    /// Set for every scalar inside the segment being scanned.
    public static let inRange = CodepointClass(rawValue: 0x80)

    /// In range and neither letter, number nor whitespace: `[^\s\p{L}\p{N}]`.
    @inline(__always) var isOther: Bool { rawValue & 0x87 == 0x80 }

    /// llama.cpp's whitespace (`unicode_set_whitespace`, the Unicode White_Space property):
    /// U+0009...U+000D, space, U+0085, U+00A0, U+1680, U+2000...U+200A, U+2028, U+2029, U+202F,
    /// U+205F and U+3000. Notably not U+001C...U+001F, which Python's `isspace` includes.
    public static func isWhitespace(_ v: UInt32) -> Bool {
        switch v {
        case 0x09 ... 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000 ... 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    private static let ascii: [CodepointClass] = (0 ..< 128).map { v in
        let s = Unicode.Scalar(UInt8(v))
        if isWhitespace(UInt32(v)) { return [.whitespace, .inRange] }
        switch s {
        case "a" ... "z", "A" ... "Z": return [.letter, .inRange]
        case "0" ... "9": return [.number, .inRange]
        default: return .inRange
        }
    }

    /// The Unicode version of llama.cpp's category table (`unicode-data.cpp`). Scalars assigned
    /// later are "undefined" there, so they count as neither letters nor numbers here either,
    /// although Swift's own tables (Unicode 16 and up) know them.
    public static let unicodeVersion = (major: 15, minor: 1)

    /// The class of one scalar.
    public static func of(_ s: Unicode.Scalar) -> CodepointClass {
        let v = s.value
        if v < 128 { return ascii[Int(v)] }
        if isWhitespace(v) { return [.whitespace, .inRange] }
        if let age = s.properties.age,
           age.major > unicodeVersion.major || (age.major == unicodeVersion.major && age.minor > unicodeVersion.minor) {
            return .inRange
        }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return [.letter, .inRange]
        case .decimalNumber, .letterNumber, .otherNumber:
            return [.number, .inRange]
        default:
            return .inRange
        }
    }
}

/// A text as Unicode scalars with each scalar's class, the input of every pre-tokenizer.
public struct CodepointText: Sendable {
    /// The text's scalars.
    public let scalars: [Unicode.Scalar]
    /// The class of each scalar, parallel to `scalars`.
    public let classes: [CodepointClass]

    /// Classifies `scalars`.
    public init<S: Sequence>(_ scalars: S) where S.Element == Unicode.Scalar {
        self.scalars = Array(scalars)
        self.classes = self.scalars.map(CodepointClass.of)
    }

    /// Classifies the scalars of `text`.
    public init(_ text: String) { self.init(text.unicodeScalars) }

    /// Number of scalars.
    public var count: Int { scalars.count }

    /// The scalar value at `i`, or `UInt32.max` outside `segment` (llama.cpp's OUT_OF_RANGE).
    @inline(__always)
    func value(_ i: Int, in segment: Range<Int>) -> UInt32 {
        segment.contains(i) ? scalars[i].value : UInt32.max
    }

    /// The class at `i`, or the empty class outside `segment`.
    @inline(__always)
    func cls(_ i: Int, in segment: Range<Int>) -> CodepointClass {
        segment.contains(i) ? classes[i] : []
    }
}
