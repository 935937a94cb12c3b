import KingletTokenizer

/// A remote teacher's reply in the teacher's token ids and, when the server listed
/// `top_logprobs`, its scores — what a local teacher returns with a completion.
///
/// The ids are the ones the server sampled when it names every token (`logprobs.content[i].token`)
/// and they spell the reply exactly; else the reply's text tokenized locally (a sampled split such
/// as `Ġthe` + `re` where the tokenizer writes `Ġthere` is then lost). Scores are kept only with
/// the sampled ids, so each list is known to belong to its position; the end-of-generation token a
/// server does not list (kinglet serve's logprobs stop before it; llama.cpp's server lists it) gets an empty row,
/// which training takes as no teacher distribution: cross-entropy alone teaches the stop there.
struct RemoteReply: Equatable {
    var tokens: [Int]
    var scores: PositionScores?

    /// - Parameters:
    ///   - positions: the response's `logprobs.content` (empty when none came).
    ///   - topK: the entries per scored position (`top_logprobs` asked); nil or 0: no scores.
    init(text: String, stopped: Bool, positions: [ChatResponseBody.Choice.Logprobs.Position], topK: Int?,
         tokenizer: TeacherTokenizer) {
        guard let sampled = Self.sampledIDs(positions, text: text, stopped: stopped, tokenizer: tokenizer) else {
            tokens = tokenizer.completionTokens(text, stopped: stopped)
            scores = nil
            return
        }
        tokens = sampled.map(Int.init)
        guard let k = topK, k >= 1 else {
            scores = nil
            return
        }
        let tok = tokenizer.tokenizer
        var lists = positions.map { $0.topLogprobs ?? [] }
        if lists.count == sampled.count - 1 { lists.append([]) }
        var s = PositionScores(k: k)
        for list in lists {
            s.append(.init(alternatives: list, k: k, vocabularySize: tok.vocabularySize) { ScoreRecordBuilder.tokenID(for: $0, tokenizer: tok) })
        }
        scores = s
    }

    /// The ids the server sampled, ending with the end-of-generation token on a stop (the listed
    /// one, else the template's); nil when a token is not named, not one token of this tokenizer,
    /// or the ids do not spell `text`. A stopped reply's last position named "" is its end token:
    /// llama.cpp's server lists the end token so (special tokens have no text there).
    static func sampledIDs(_ positions: [ChatResponseBody.Choice.Logprobs.Position], text: String, stopped: Bool,
                           tokenizer: TeacherTokenizer) -> [Int32]? {
        guard !positions.isEmpty else { return nil }
        let tok = tokenizer.tokenizer
        var ids: [Int32] = []
        ids.reserveCapacity(positions.count + 1)
        for (i, p) in positions.enumerated() {
            if let token = p.token, let id = ScoreRecordBuilder.tokenID(for: token, tokenizer: tok) {
                ids.append(id)
            } else if stopped, i == positions.count - 1, p.token?.isEmpty ?? false, let end = tokenizer.endToken {
                ids.append(end)
            } else {
                return nil
            }
        }
        var end: Int32?
        if stopped, let last = ids.last, tok.isEndOfGeneration(last) { end = ids.removeLast() }
        guard !ids.contains(where: tok.isEndOfGeneration), tok.decode(ids) == text else { return nil }
        if stopped, let e = end ?? tokenizer.endToken { ids.append(e) }
        return ids
    }
}
