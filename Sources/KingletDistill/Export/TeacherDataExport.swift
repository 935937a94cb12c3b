import Foundation
import KingletChatTemplate

/// A dataset's samples and teacher scores in files a PyTorch trainer reads without Kinglet:
///
///     OUT/samples.jsonl         one JSON object per sample, in dataset order: index, id, messages
///                               (the prompt's turns plus the assistant's completion), completion,
///                               prompt_token_ids, completion_token_ids, finish_reason, teacher,
///                               scored (whether the sample has rows in the tensors)
///     OUT/teacher.safetensors   Legend: N samples, T tokens in all, R scored rows in all, k entries
///       input_ids         I32 [T]       every sample's prompt + completion ids, back to back
///       sequence_offsets  I64 [N+1]     sample i is input_ids[sequence_offsets[i] ..< sequence_offsets[i+1]]
///       prompt_lengths    I32 [N]
///       topk_offsets      I64 [N+1]     sample i's rows are topk_offsets[i] ..< topk_offsets[i+1] (none: unscored)
///       topk_ids          I32 [R, k]    most likely first; padding -1
///       topk_logprobs     F32 [R, k]    natural-log probabilities; padding -inf
///       tail_logmass      F32 [R]       log(1 − Σ exp(topk_logprobs)) of the row
///
/// Row p of a scored sample is the teacher's distribution at sequence position
/// prompt_length − 1 + p, over the token at prompt_length + p: the row a causal LM's logits at
/// that position are compared with. Token ids are the teacher's tokenizer's.
public struct TeacherDataExport: Sendable {
    public static let formats = ["jsonl-safetensors"]

    public var dataDirectory: URL
    /// The scores (nil: DATA/scores; a directory without score files exports no rows).
    public var scoresDirectory: URL?
    public var output: URL

    public init(dataDirectory: URL, output: URL) {
        self.dataDirectory = dataDirectory
        self.output = output
    }

    public var samplesURL: URL { output.appendingPathComponent("samples.jsonl") }
    public var tensorsURL: URL { output.appendingPathComponent("teacher.safetensors") }

    /// What an export wrote.
    public struct Summary: Sendable, Equatable {
        public var samples: Int
        public var scored: Int
        public var rows: Int
        public var k: Int
    }

    /// One line of OUT/samples.jsonl.
    struct Line: Encodable {
        var index: Int
        var id: String
        var messages: [ChatMessage]
        var completion: String
        var prompt_token_ids: [Int]
        var completion_token_ids: [Int]
        var finish_reason: String
        var teacher: String
        var scored: Bool
    }

    @discardableResult
    public func run(events: DistillEventHandler = { _ in }) throws -> Summary {
        let records = try DistillDataset(directory: dataDirectory).records()
        let store = try ShardMerge.scoreStore(in: scoresDirectory ?? dataDirectory.appendingPathComponent("scores"), job: nil)
        let k = store?.k ?? 0
        var scores: [TeacherScores?] = []
        for r in records { scores.append(try store?.scores(for: r.scoredSequence)) }
        do { try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true) } catch {
            throw TeacherDataExportError.io(path: output.path, reason: error.localizedDescription)
        }
        try writeLines(records, scored: scores.map { $0 != nil })

        let tokens = records.reduce(0) { $0 + $1.promptTokens.count + $1.completionTokens.count }
        let rows = scores.reduce(0) { $0 + ($1?.positionCount ?? 0) }
        let n = records.count
        let tensors = [
            Safetensors.TensorInfo(name: "input_ids", dtype: .i32, shape: [tokens]),
            .init(name: "sequence_offsets", dtype: .i64, shape: [n + 1]),
            .init(name: "prompt_lengths", dtype: .i32, shape: [n]),
            .init(name: "topk_offsets", dtype: .i64, shape: [n + 1]),
            .init(name: "topk_ids", dtype: .i32, shape: [rows, k]),
            .init(name: "topk_logprobs", dtype: .f32, shape: [rows, k]),
            .init(name: "tail_logmass", dtype: .f32, shape: [rows]),
        ]
        var metadata = ["format": "kinglet-teacher-topk", "version": "1", "k": "\(k)",
                        "rows": "row p of sample i: teacher distribution at position prompt_length-1+p over token prompt_length+p"]
        if let store {
            metadata["vocabulary_size"] = "\(store.vocabularySize)"
            metadata["tokenizer_fingerprint"] = ShardFingerprints.hex(store.tokenizerFingerprint)
        }
        if let teacher = records.first?.teacher { metadata["teacher"] = teacher }
        try Safetensors.write(to: tensorsURL, tensors: tensors, metadata: metadata) { index, write in
            switch index {
            case 0: for r in records { try Self.put((r.promptTokens + r.completionTokens).map { Int32($0) }, write) }
            case 1: try Self.put(Self.offsets(records.map { $0.promptTokens.count + $0.completionTokens.count }), write)
            case 2: try Self.put(records.map { Int32($0.promptTokens.count) }, write)
            case 3: try Self.put(Self.offsets(scores.map { $0?.positionCount ?? 0 }), write)
            case 4: for s in scores { if let s { try Self.put(s.allTokenIDs.map { $0 == ScoreRecord.paddingID ? -1 : $0 }, write) } }
            case 5: for s in scores { if let s { try write(UnsafeRawBufferPointer(s.logprobs)) } }
            default: for s in scores { if let s { try write(UnsafeRawBufferPointer(s.tailLogMass)) } }
            }
        }
        let summary = Summary(samples: n, scored: scores.filter { $0 != nil }.count, rows: rows, k: k)
        events(.exported(samples: n, scored: summary.scored, files: [samplesURL, tensorsURL]))
        return summary
    }

    private func writeLines(_ records: [DistillRecord], scored: [Bool]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bytes: [UInt8] = []
        for (i, r) in records.enumerated() {
            let line = Line(index: i, id: r.id, messages: r.messages + [ChatMessage(role: "assistant", content: r.completion)],
                            completion: r.completion, prompt_token_ids: r.promptTokens, completion_token_ids: r.completionTokens,
                            finish_reason: r.finishReason, teacher: r.teacher, scored: scored[i])
            bytes += Array(try encoder.encode(line))
            bytes.append(UInt8(ascii: "\n"))
        }
        do { try Data(bytes).write(to: samplesURL, options: .atomic) } catch {
            throw TeacherDataExportError.io(path: samplesURL.path, reason: error.localizedDescription)
        }
    }

    /// Running sums from 0: [0, c0, c0+c1, ...].
    static func offsets(_ counts: [Int]) -> [Int64] {
        var out: [Int64] = [0]
        for c in counts { out.append(out.last! + Int64(c)) }
        return out
    }

    /// Little-endian values (every platform Kinglet builds for is little-endian).
    static func put<T: FixedWidthInteger>(_ values: [T], _ write: (UnsafeRawBufferPointer) throws -> Void) throws {
        try values.map(\.littleEndian).withUnsafeBytes { try write($0) }
    }
}
