/// Token texts, their attributes and the text-to-id index.
///
/// Attributes start from the file's token types and are then adjusted by `SpecialTokenDetection`,
/// so `isControl` agrees with llama.cpp even for files whose types are incomplete.
struct Vocabulary: Sendable {
    /// Token texts (empty ones replaced by `[EMPTY_<id>]`, as llama.cpp does) and text to id; for
    /// duplicated texts the highest id wins (llama.cpp overwrites in id order). The texts live in
    /// the index only: a `[String]` beside it cost another 16 bytes a token (4 MB for Gemma 3).
    let index: TokenTextIndex
    var attributes: [TokenAttributes]

    var count: Int { index.count }

    init(texts rawTexts: [String], types: [TokenType]?) {
        var texts = rawTexts
        for i in texts.indices where texts[i].isEmpty { texts[i] = "[EMPTY_\(i)]" }
        index = TokenTextIndex(texts: texts)
        if let types {
            attributes = types.map(TokenAttributes.init)
        } else {
            attributes = Array(repeating: .normal, count: texts.count)
        }
    }

    /// Token `id`'s text (`id` in 0 ..< count).
    func text(_ id: Int) -> String { index.text(id) }

    func contains(_ id: Int32) -> Bool { id >= 0 && Int(id) < count }

    func id(_ text: String) -> Int32? { index.id(text) }
}
