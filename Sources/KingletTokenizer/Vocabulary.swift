/// Token texts, their attributes and the text-to-id index.
///
/// Attributes start from the file's token types and are then adjusted by `SpecialTokenDetection`,
/// so `isControl` agrees with llama.cpp even for files whose types are incomplete.
struct Vocabulary: Sendable {
    /// Token texts by id. Empty texts are replaced by `[EMPTY_<id>]`, as llama.cpp does.
    let texts: [String]
    var attributes: [TokenAttributes]
    /// Text to id; for duplicated texts the highest id wins (llama.cpp overwrites in id order).
    let index: TokenTextIndex

    var count: Int { texts.count }

    init(texts rawTexts: [String], types: [TokenType]?) {
        var texts = rawTexts
        for i in texts.indices where texts[i].isEmpty { texts[i] = "[EMPTY_\(i)]" }
        self.texts = texts
        index = TokenTextIndex(texts: texts)
        if let types {
            attributes = types.map(TokenAttributes.init)
        } else {
            attributes = Array(repeating: .normal, count: texts.count)
        }
    }

    func contains(_ id: Int32) -> Bool { id >= 0 && Int(id) < texts.count }

    func id(_ text: String) -> Int32? { index.id(text) }
}
