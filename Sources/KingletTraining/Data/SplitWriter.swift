import Foundation

/// Routes documents to `train.ktok` / `val.ktok`, holding back the latest document of each split
/// so that, at the end, a split left empty can take one from the other (with ≥ 2 documents each
/// split gets at least one; a lone document is cut, its tail going to validation).
final class SplitWriter {
    static let trainFile = "train.ktok"
    static let validationFile = "val.ktok"

    private let writers: [TokenShardWriter]       // [train, validation]
    private var pending: [[Int32]?] = [nil, nil]  // latest document per split, without separator
    private let separator: Int32
    private let validationFraction: Double

    init(directory: URL, vocabularySize: Int, fingerprint: UInt64, separator: Int32, validationFraction: Double) throws(TokenDataError) {
        writers = [
            try TokenShardWriter(url: directory.appendingPathComponent(Self.trainFile), vocabularySize: vocabularySize, fingerprint: fingerprint),
            try TokenShardWriter(url: directory.appendingPathComponent(Self.validationFile), vocabularySize: vocabularySize, fingerprint: fingerprint),
        ]
        self.separator = separator
        self.validationFraction = validationFraction
    }

    func add(_ document: [Int32], validation: Bool) throws(TokenDataError) {
        let s = validation ? 1 : 0
        if let held = pending[s] { try write(held, to: s) }
        pending[s] = document
    }

    private func write(_ document: [Int32], to split: Int) throws(TokenDataError) {
        try writers[split].append(document)
        try writers[split].append([separator])
        writers[split].endDocument()
    }

    private func documents(_ split: Int) -> Int { writers[split].documentCount + (pending[split] == nil ? 0 : 1) }

    /// Settles the held documents, finishes both files and returns their summaries.
    func finish() throws(TokenDataError) -> (train: DataManifest.Split, validation: DataManifest.Split) {
        let total = documents(0) + documents(1)
        if total == 1, let lone = pending[0] ?? pending[1] {
            // One document: its last `fraction` of tokens (at least one when it has two) is held out.
            pending = [nil, nil]
            let cut = lone.count - (lone.count >= 2 ? max(1, Int((Double(lone.count) * validationFraction).rounded())) : 0)
            try write(Array(lone[..<cut]), to: 0)
            if cut < lone.count { try write(Array(lone[cut...]), to: 1) }
        } else if total >= 2, documents(1) == 0, let moved = pending[0] {
            pending[0] = nil
            pending[1] = moved
        } else if total >= 2, documents(0) == 0, let moved = pending[1] {
            pending[1] = nil
            pending[0] = moved
        }
        for s in 0 ..< 2 {
            if let held = pending[s] { try write(held, to: s) }
            pending[s] = nil
            try writers[s].finish()
        }
        func summary(_ s: Int, _ file: String) -> DataManifest.Split {
            DataManifest.Split(file: file, documents: writers[s].documentCount, tokens: writers[s].tokenCount)
        }
        return (summary(0, Self.trainFile), summary(1, Self.validationFile))
    }
}
