extension DistillDataset {
    /// Every record as the token sequence (prompt + completion) the teacher scores and the student
    /// trains on, keyed by the record's id.
    public func scoredSequences() throws -> [ScoredSequence] {
        try records().map {
            ScoredSequence(id: $0.id, tokens: ($0.promptTokens + $0.completionTokens).map(Int32.init), promptLength: $0.promptTokens.count)
        }
    }
}
