import Foundation
import KingletTokenizer
import Testing
@testable import KingletTraining

@Suite("Token shards")
struct TokenShardTests {
    /// A corpus folder with text, markdown, gzip, binary, invalid-UTF-8, empty and hidden files.
    static func makeCorpus() throws -> (root: URL, texts: [String: String]) {
        let root = try DataFixtures.temporaryDirectory().appendingPathComponent("corpus")
        var texts: [String: String] = [:]
        for k in 0 ..< 12 {
            let name = k % 3 == 0 ? "sub/doc\(k).md" : "doc\(k).txt"
            let text = DataFixtures.prose(lines: 3 + k, seed: UInt64(k)) + (k == 4 ? "<|endoftext|> is plain text here" : "")
            try DataFixtures.write(text, to: root.appendingPathComponent(name))
            texts["corpus/" + name] = text
        }
        let gzText = "the cat in the gzip hat\n"
        try DataFixtures.write(gzText, to: root.appendingPathComponent("z/packed.txt"))
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gzip.arguments = ["gzip", root.appendingPathComponent("z/packed.txt").path]
        try gzip.run()
        gzip.waitUntilExit()
        #expect(gzip.terminationStatus == 0)
        texts["corpus/z/packed.txt.gz"] = gzText
        try Data([0x68, 0x69, 0x00, 0x01]).write(to: root.appendingPathComponent("image.bin"))
        try Data([0x61, 0xFF, 0xFE, 0x62]).write(to: root.appendingPathComponent("latin1.txt"))
        try Data().write(to: root.appendingPathComponent("empty.txt"))
        try DataFixtures.write("hidden", to: root.appendingPathComponent(".hidden.txt"))
        return (root, texts)
    }

    /// What the shards must hold: every document's encoding plus the separator, in path order,
    /// split by the name hash (the last training document moves over if validation is empty).
    static func expected(_ texts: [String: String], tokenizer: Tokenizer, fraction: Double) -> (train: [Int32], val: [Int32], trainDocs: Int, valDocs: Int) {
        let names = texts.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var train: [[Int32]] = [], val: [[Int32]] = []
        for n in names {
            let ids = tokenizer.encode(texts[n]!, addSpecial: false, parseSpecial: false) + [DataFixtures.endOfText]
            if TokenShardBuilder.isValidation(n, fraction: fraction) { val.append(ids) } else { train.append(ids) }
        }
        if val.isEmpty { val.append(train.removeLast()) }
        if train.isEmpty { train.append(val.removeLast()) }
        return (train.flatMap { $0 }, val.flatMap { $0 }, train.count, val.count)
    }

    @Test func buildsShardsThatRoundTrip() throws {
        let tokenizer = try DataFixtures.tokenizer()
        let (root, texts) = try Self.makeCorpus()
        let out = root.deletingLastPathComponent().appendingPathComponent("data")
        var options = TokenShardBuilder.Options()
        options.validationFraction = 0.25
        options.threads = 2
        var reports: [TokenShardBuilder.Progress] = []
        let manifest = try TokenShardBuilder(tokenizer: tokenizer, options: options)
            .build(inputs: [root], outputDirectory: out) { reports.append($0) }

        let want = Self.expected(texts, tokenizer: tokenizer, fraction: 0.25)
        #expect(want.valDocs >= 1 && want.trainDocs >= 1)
        let data = try TokenDataset(directory: out, expectedFingerprint: tokenizerFingerprint(tokenizer))
        #expect(data.train.tokens(0 ..< data.train.count) == want.train)
        #expect(data.validation.tokens(0 ..< data.validation.count) == want.val)
        #expect(data.train.documentCount == want.trainDocs && data.validation.documentCount == want.valDocs)
        #expect(data.train.vocabularySize == tokenizer.vocabularySize && data.train.tokenWidth == 2)

        #expect(manifest == data.manifest)
        #expect(manifest.files == 13)
        #expect(manifest.skippedBinary == 2)
        #expect(manifest.skippedEmpty == 1)
        #expect(manifest.train.tokens == want.train.count && manifest.validation.tokens == want.val.count)
        #expect(manifest.tokenizer.separator == DataFixtures.endOfText)
        #expect(manifest.tokenizer.separatorText == "<|endoftext|>")
        #expect(manifest.fingerprint == tokenizerFingerprint(tokenizer))
        #expect(reports.last?.filesDone == reports.last?.filesTotal)
        #expect(reports.last?.documents == 13)
    }

    /// Thread count, round size and piece size change nothing in the output files.
    @Test func outputIsTheSameForAnyThreadCountAndPiecing() throws {
        let tokenizer = try DataFixtures.tokenizer()
        let (root, _) = try Self.makeCorpus()
        try DataFixtures.write(DataFixtures.prose(lines: 3000, seed: 99), to: root.appendingPathComponent("long.txt"))
        var outputs: [[Data]] = []
        for (threads, batch, piece) in [(1, 16 << 20, 1 << 30), (2, 64, 512), (3, 1, 97)] {
            var options = TokenShardBuilder.Options()
            options.threads = threads
            options.batchBytes = batch
            options.pieceBytes = piece
            let out = root.deletingLastPathComponent().appendingPathComponent("data-\(threads)")
            try TokenShardBuilder(tokenizer: tokenizer, options: options).build(inputs: [root], outputDirectory: out)
            outputs.append(try ["train.ktok", "val.ktok", "data.json"].map { try Data(contentsOf: out.appendingPathComponent($0)) })
        }
        #expect(outputs[0] == outputs[1])
        #expect(outputs[0] == outputs[2])
    }

    /// Cutting a long text at `TextChunking` points never changes its encoding, for every
    /// byte-level pre-tokenizer family.
    @Test(arguments: ["gpt-2", "llama-bpe", "smollm", "qwen2"])
    func piecesEncodeLikeTheWhole(pre: String) throws {
        let tokenizer = try DataFixtures.tokenizer(pre: pre)
        let text = DataFixtures.prose(lines: 400, seed: 7) + "tail without newline"
        let pieces = TextChunking.pieces(text, targetBytes: 64)
        #expect(pieces.count > 20)
        #expect(pieces.joined() == text)
        let joined = pieces.flatMap { tokenizer.encode($0, addSpecial: false, parseSpecial: false) }
        #expect(joined == tokenizer.encode(text, addSpecial: false, parseSpecial: false))
    }

    @Test func everySplitGetsADocument() throws {
        let tokenizer = try DataFixtures.tokenizer()
        let dir = try DataFixtures.temporaryDirectory()
        for k in 0 ..< 3 { try DataFixtures.write("the cat \(k) ran\n", to: dir.appendingPathComponent("in/f\(k).txt")) }
        for fraction in [0.0, 0.999] {
            var options = TokenShardBuilder.Options()
            options.validationFraction = fraction
            let m = try TokenShardBuilder(tokenizer: tokenizer, options: options)
                .build(inputs: [dir.appendingPathComponent("in")], outputDirectory: dir.appendingPathComponent("out\(fraction)"))
            #expect(m.train.documents >= 1 && m.validation.documents >= 1, "fraction \(fraction)")
            #expect(m.train.documents + m.validation.documents == 3)
        }
    }

    /// A lone document is cut: its tail (the validation fraction of its tokens) is held out.
    @Test func aSingleDocumentGivesItsTailToValidation() throws {
        let tokenizer = try DataFixtures.tokenizer()
        let dir = try DataFixtures.temporaryDirectory()
        let text = DataFixtures.prose(lines: 40, seed: 3)
        let file = dir.appendingPathComponent("only.txt")
        try DataFixtures.write(text, to: file)
        var options = TokenShardBuilder.Options()
        options.validationFraction = 0.1
        try TokenShardBuilder(tokenizer: tokenizer, options: options).build(inputs: [file], outputDirectory: dir.appendingPathComponent("out"))
        let data = try TokenDataset(directory: dir.appendingPathComponent("out"))
        let ids = tokenizer.encode(text, addSpecial: false, parseSpecial: false)
        let valCount = Int((Double(ids.count) * 0.1).rounded())
        let sep = DataFixtures.endOfText
        #expect(data.train.tokens(0 ..< data.train.count) == Array(ids.dropLast(valCount)) + [sep])
        #expect(data.validation.tokens(0 ..< data.validation.count) == Array(ids.suffix(valCount)) + [sep])
    }

    /// With a delimiter, one file holds many documents, each split on its own.
    @Test func delimitedFilesHoldManyDocuments() throws {
        let tokenizer = try DataFixtures.tokenizer()
        let dir = try DataFixtures.temporaryDirectory()
        let stories = (0 ..< 60).map { "Story \($0): the cat ran.\nThe end." }
        let file = dir.appendingPathComponent("stories.txt")
        try DataFixtures.write(stories.joined(separator: "\n<|endoftext|>\n") + "\n<|endoftext|>\n", to: file)
        var options = TokenShardBuilder.Options()
        options.documentDelimiter = "<|endoftext|>"
        options.validationFraction = 0.2
        let m = try TokenShardBuilder(tokenizer: tokenizer, options: options).build(inputs: [file], outputDirectory: dir.appendingPathComponent("out"))
        let val = (0 ..< 60).filter { TokenShardBuilder.isValidation("stories.txt#\($0)", fraction: 0.2) }
        #expect(m.validation.documents == val.count && m.train.documents == 60 - val.count)
        #expect(val.count > 3 && val.count < 30)
        let data = try TokenDataset(directory: dir.appendingPathComponent("out"))
        let wantVal = val.flatMap { tokenizer.encode(stories[$0], addSpecial: false, parseSpecial: false) + [DataFixtures.endOfText] }
        #expect(data.validation.tokens(0 ..< data.validation.count) == wantVal)
    }

    @Test func theSeparatorDefaultsToEndOfTextThenEOS() throws {
        let tokenizer = try DataFixtures.tokenizer()
        #expect(try TokenShardBuilder(tokenizer: tokenizer).separatorToken() == DataFixtures.endOfText)
        var options = TokenShardBuilder.Options()
        options.separator = DataFixtures.imEnd
        #expect(try TokenShardBuilder(tokenizer: tokenizer, options: options).separatorToken() == DataFixtures.imEnd)
        options.separator = 100_000
        #expect(throws: TokenDataError.self) { try TokenShardBuilder(tokenizer: tokenizer, options: options).separatorToken() }
    }

    @Test func noUsableTextIsAnError() throws {
        let tokenizer = try DataFixtures.tokenizer()
        let dir = try DataFixtures.temporaryDirectory()
        try Data([0, 1, 2]).write(to: dir.appendingPathComponent("a.bin"))
        #expect(throws: TokenDataError.noDocuments(inputs: [dir.path], skipped: 1)) {
            try TokenShardBuilder(tokenizer: tokenizer).build(inputs: [dir], outputDirectory: dir.appendingPathComponent("out"))
        }
        let missing = dir.appendingPathComponent("nope")
        #expect(throws: TokenDataError.cannotOpen(path: missing.path, reason: "no such file or folder")) {
            try TokenShardBuilder(tokenizer: tokenizer).build(inputs: [missing], outputDirectory: dir.appendingPathComponent("out"))
        }
        let badGzip = dir.appendingPathComponent("bad.txt.gz")
        try DataFixtures.write("not gzip", to: badGzip)
        #expect(throws: TokenDataError.self) {
            try TokenShardBuilder(tokenizer: tokenizer).build(inputs: [badGzip], outputDirectory: dir.appendingPathComponent("out"))
        }
    }
}
