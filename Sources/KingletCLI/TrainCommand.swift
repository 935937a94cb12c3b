import ArgumentParser
import Foundation
import Kinglet
import KingletGGUF
import KingletTraining

/// `kinglet train`: a llama model from scratch on text, on the CPU, exported as GGUF.
struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a small llama model on text files (from scratch, or continuing any llama GGUF with --init) and export it as GGUF.",
        discussion: """
        The text (a file or a folder of .txt/.md/.gz files) is tokenized once with --tokenizer's
        vocabulary into token shards in OUT/data (or pass a directory made earlier). Progress goes to
        the terminal and every step's figures to OUT/metrics.jsonl. Ctrl-C writes a checkpoint;
        --resume continues exactly where it stopped.
        """)

    @Option(help: "Text file, folder of text files, or a token-shard directory (with data.json).")
    var data: String
    @Option(help: "Model whose tokenizer (and chat template) the new model uses: a known name or a .gguf path (with --init: that model's).")
    var tokenizer: String = KnownModel.defaultAlias
    @Option(help: "Output directory: checkpoint, metrics.jsonl, data shards, exported GGUF.")
    var out: String
    @Option(name: .customLong("export"), help: "Type of the exported GGUF: f32, f16, q8_0 or q4_0.")
    var exportType: ExportType = .q8_0
    @OptionGroup var training: TrainingOptions

    func run() async throws {
        try await reportingErrors {
            let outDir = URL(fileURLWithPath: out)
            let job = try TrainingJob.prepare(data: data, tokenizer: tokenizer, out: outDir, options: training)
            StopSignal.install()
            let summary = try job.trainer.run(resume: training.resume)
            guard !summary.interrupted else { throw ExitCode(130) }
            let gguf = outDir.appendingPathComponent("model-\(exportType.rawValue).gguf")
            let result = try GGUFExporter.export(checkpoint: summary.checkpoint, to: gguf, type: exportType, name: job.name)
            Terminal.status(String(format: "done: %d steps, %d tokens, final loss %.4f, val %@ | %.0f tok/s, %.1f GFLOP/s",
                                   summary.steps, summary.tokens, summary.finalLoss,
                                   summary.validation["val_loss"].map { String(format: "%.4f", $0) } ?? "-",
                                   summary.tokensPerSecond, summary.gflops))
            Terminal.status("checkpoint: \(summary.checkpoint.path)")
            Terminal.status("model:      \(result.path) (\(result.fileBytes / 1_000_000) MB, \(exportType.rawValue))")
            Terminal.status("try it:     kinglet run --model \(result.path) \"Once upon a time\"")
        }
    }
}



/// A prepared text-training run: tokenizer, shards, model, batches, trainer.
struct TrainingJob {
    let trainer: Trainer
    let name: String

    static func prepare(data: String, tokenizer spec: String, out: URL, options: TrainingOptions) throws -> TrainingJob {
        let tokenizerPath = try ModelStore().resolve(options.initialWeights ?? spec) { Terminal.status($0) }
        let source = try GGUFFile(path: tokenizerPath.path)
        let tok = try Tokenizer(gguf: source)
        let fingerprint = tokenizerFingerprint(tok)
        let dataURL = URL(fileURLWithPath: data)
        let shardDir: URL
        if FileManager.default.fileExists(atPath: dataURL.appendingPathComponent(DataManifest.fileName).path) {
            shardDir = dataURL
        } else {
            shardDir = out.appendingPathComponent("data")
            let existing = try? DataManifest.read(directory: shardDir)
            if existing?.fingerprint != fingerprint || existing?.sources != [dataURL.standardizedFileURL.path] {
                Terminal.status("tokenizing \(data) → \(shardDir.path)")
                var o = TokenShardBuilder.Options()
                if let t = options.threads { o.threads = t }
                let m = try TokenShardBuilder(tokenizer: tok, options: o).build(inputs: [dataURL], outputDirectory: shardDir) { p in
                    Terminal.status("  \(p.filesDone)/\(p.filesTotal) files, \(p.tokens) tokens")
                }
                Terminal.status("data: \(m.train.tokens) training tokens, \(m.validation.tokens) validation tokens (\(m.files) files)")
            }
        }
        let dataset = try TokenDataset(directory: shardDir, expectedFingerprint: fingerprint)
        var settings = options.settings()
        let pool = try ThreadPool.sized(options.threads)
        let model = try TrainableLlama.start(&settings, vocabularySize: tok.vocabularySize, pool: pool)
        let config = model.config
        let batches = try TextBatchSource(shard: dataset.train, batch: settings.batch, length: settings.length, seed: settings.seed)
        let validation = try TextBatchSource.validation(shard: dataset.validation, batches: settings.evalBatches,
                                                        batch: settings.batch, length: settings.length)
        let name = "kinglet-\(settings.preset)-\(out.lastPathComponent)"
        let trainer = try Trainer(model: model, settings: settings, source: batches, validation: validation, directory: out,
                              tokenizerMetadata: source.metadataKeys.filter { $0.hasPrefix("tokenizer.") }.compactMap { k in
                                  source.metadata[k].map { (key: k, value: $0) } },
                              runName: name)
        trainer.log = { Terminal.status($0) }
        Terminal.status(String(format: "model: %@ llama, %.1fM parameters (%.1fM without the embedding), vocabulary %d, context %d, %d threads",
                               settings.preset, Double(model.parameterCount) / 1e6, Double(model.layout.nonEmbeddingCount) / 1e6,
                               config.vocabularySize, settings.length, pool.threadCount))
        if let initial = settings.initialWeights { Terminal.status("weights start from \(initial)") }
        return TrainingJob(trainer: trainer, name: name)
    }
}
