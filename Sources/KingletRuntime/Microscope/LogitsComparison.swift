import Foundation

/// Where a comparison stands after a chunk.
public struct LogitsComparisonProgress: Sendable {
    public var perplexity: PerplexityProgress
    /// The statistics over the chunks done.
    public var statistics: KLDivergenceStatistics
}

/// A finished comparison.
public struct LogitsComparisonResult: Sendable, Codable {
    /// The model's own perplexity run over the reference's chunks.
    public var perplexity: PerplexityResult
    public var statistics: KLDivergenceStatistics
    /// The reference file's layout and storage ("kinglet", "top-32 + tail").
    public var referenceFormat: LogitsFileHeader.Format
    public var referenceStorage: String
    /// The reference model's name, when the file records it.
    public var referenceModel: String?
}

/// Events of a streamed comparison.
public enum LogitsComparisonEvent: Sendable {
    case chunk(LogitsComparisonProgress)
    case finished(LogitsComparisonResult)
}

/// KL-divergence of a model against a saved reference (`LogitsFileReader`): the model is run on
/// the file's own tokens and chunks, and every scored position is held against the stored
/// distribution, giving llama.cpp's statistics (`KLDivergenceStatistics`).
public final class LogitsComparison: @unchecked Sendable {
    public let perplexity: Perplexity
    public let reference: LogitsFileReader

    /// Refuses a model whose vocabulary differs from the file's (size always; the tokens'
    /// digest where the file records one).
    public init(perplexity: Perplexity, reference: LogitsFileReader) throws(MicroscopeError) {
        let h = reference.header, v = perplexity.engine.config.vocabularySize
        guard h.vocabularySize == v else {
            throw .vocabularyMismatch(path: reference.path, file: h.vocabularySize, model: v, detail: "")
        }
        if let digest = h.vocabularyDigest, digest != LogitsFileWriter.vocabularyDigest(perplexity.engine.tokenizer) {
            throw .vocabularyMismatch(path: reference.path, file: h.vocabularySize, model: v, detail: "same size, different tokens")
        }
        guard h.context <= perplexity.engine.config.contextLength else {
            throw .contextExceedsModel(context: h.context, model: perplexity.engine.config.contextLength)
        }
        self.perplexity = perplexity
        self.reference = reference
    }

    /// Checks that `text` is the one the reference was saved from: its digest where the file
    /// records one, else (llama.cpp's files) that it tokenizes to the file's tokens.
    public func check(text: String) throws(MicroscopeError) {
        let path = reference.path
        if let digest = reference.header.textDigest {
            guard digest == Digests.sha256(Array(text.utf8)) else { throw .textMismatch(path: path, detail: "its SHA-256 differs") }
            return
        }
        let tokens = perplexity.tokens(for: text)
        guard tokens.count >= reference.tokens.count else {
            throw .textMismatch(path: path, detail: "the text has \(tokens.count) tokens, the file \(reference.tokens.count)")
        }
        if let i = reference.tokens.indices.first(where: { tokens[$0] != reference.tokens[$0] }) {
            throw .textMismatch(path: path, detail: "token \(i) differs")
        }
    }

    /// Runs the model over the reference's chunks and compares every scored position.
    public func run(isCancelled: () -> Bool = { false }, progress: (LogitsComparisonProgress) -> Void = { _ in }) throws(MicroscopeError) -> LogitsComparisonResult {
        var tally = KLDivergenceTally()
        let pool = perplexity.engine.pool
        let result = try perplexity.run(reference.tokens, plan: reference.plan, isCancelled: isCancelled, observe: { rows in
            let compared = pool.mapRows(rows.targets.count) { p in
                rows.withRow(p) { reference.row(chunk: rows.chunk, index: p).compare($0, target: Int(rows.targets[p])) }
            }
            for r in compared { tally.add(r) }
        }, progress: { p in
            if let s = tally.statistics { progress(LogitsComparisonProgress(perplexity: p, statistics: s)) }
        })
        let h = reference.header
        return LogitsComparisonResult(perplexity: result, statistics: tally.statistics!, referenceFormat: h.format,
                                referenceStorage: h.storage.description, referenceModel: h.modelName)
    }

    /// `run` on a thread of its own, streamed; ending the iteration cancels it.
    public func events() -> AsyncThrowingStream<LogitsComparisonEvent, Error> {
        BackgroundStream.make { [self] isCancelled, emit in
            let result = try run(isCancelled: isCancelled, progress: { emit(.chunk($0)) })
            emit(.finished(result))
        }
    }
}

extension Perplexity {
    /// Runs `text` and saves the reference distributions to `path` as it goes (the file
    /// appears only when the run completes).
    public func saveLogits(text: String, to path: String, storage: LogitsFileHeader.Storage, isCancelled: () -> Bool = { false },
                           progress: (PerplexityProgress) -> Void = { _ in }) throws(MicroscopeError) -> PerplexityResult {
        let tokens = tokens(for: text)
        let plan = try plan(for: tokens)
        let writer = try LogitsFileWriter(path: path, header: LogitsFileWriter.header(engine: engine, text: text, plan: plan, storage: storage),
                                          tokens: tokens)
        do {
            let result = try run(tokens, plan: plan, isCancelled: isCancelled,
                                 observe: { rows throws(MicroscopeError) in try writer.append(rows, pool: engine.pool) }, progress: progress)
            try writer.finish()
            return result
        } catch {
            writer.discard()
            throw error
        }
    }
}
