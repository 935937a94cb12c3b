import Foundation
import KingletKernels

extension TrainableLlama {
    /// The model a run starts from: `settings.initialWeights` when set (a pretrained or pruned
    /// GGUF, whose shape then becomes `settings.shape`), else random weights of `settings.shape`
    /// from `settings.seed`. The vocabulary must be `vocabularySize` (the run's tokenizer's).
    public static func start(_ settings: inout TrainSettings, vocabularySize: Int, pool: ThreadPool?) throws -> TrainableLlama {
        guard let path = settings.initialWeights else {
            let config = settings.shape.config(vocabularySize: vocabularySize, contextLength: settings.length)
            try config.validate()
            try TrainingMemory.check(config: config, batch: settings.batch, length: settings.length)
            if settings.frozenLayers != nil {
                throw PretrainedWeightsError.unsupported(path: "(random weights)", what: "frozen layers",
                                                         hint: "freezing keeps trained weights as they are: start from a model (--init)")
            }
            return TrainableLlama(config: config, seed: settings.seed, pool: pool)
        }
        let weights = try PretrainedWeights.load(URL(fileURLWithPath: path))
        guard weights.config.vocabularySize == vocabularySize else {
            throw PretrainedWeightsError.unsupported(
                path: path, what: "a vocabulary of \(weights.config.vocabularySize) tokens",
                hint: "the run's tokenizer has \(vocabularySize); start from a model with the same tokenizer")
        }
        settings.shape = weights.shape
        try TrainingMemory.check(config: weights.config, batch: settings.batch, length: settings.length)
        if let frozen = settings.frozenLayers, !(0 ... weights.config.layerCount).contains(frozen) {
            throw PretrainedWeightsError.unsupported(
                path: path, what: "\(frozen) frozen layers", hint: "the model has \(weights.config.layerCount) layers; freeze between 0 and that many")
        }
        return TrainableLlama(weights: weights, pool: pool)
    }
}
