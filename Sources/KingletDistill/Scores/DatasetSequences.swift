extension DistillDataset {
    /// Every record as the token sequence (prompt + completion) the teacher scores and the student
    /// trains on, keyed by the record's id.
    public func scoredSequences() throws -> [ScoredSequence] {
        try records().map(\.scoredSequence)
    }
}

extension DistillRecord {
    /// The record as the sequence the teacher scores: prompt + completion ids, keyed by its id.
    public var scoredSequence: ScoredSequence {
        ScoredSequence(id: id, tokens: (promptTokens + completionTokens).map(Int32.init), promptLength: promptTokens.count)
    }
}
