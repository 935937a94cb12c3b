import Kinglet
import KingletTraining

/// The flag that changes what a library error complains about: library errors speak of the
/// problem (a context length, a learning rate), the command line names its flags.
enum FlagHints {
    static func hint(for error: Error) -> String? {
        switch error {
        case GrammarError.unsupportedSchema, GrammarError.invalidSchema:
            return "in the --json-schema file; README: Constrained output lists the keywords enforced"
        case is GrammarError:
            return "in the --grammar file"
        case ModelError.contextFull, GenerationError.promptTooLong:
            return "--context sets the context length"
        case TrainError.resumeMismatch:
            return "pass the original run's flags with --resume, or a new --out"
        case TrainError.noCheckpoint:
            return "drop --resume to start a new run"
        case TrainError.diverged:
            return "lower --lr or raise --warmup"
        case MicroscopeError.textTooShort, MicroscopeError.contextTooSmall:
            return "--context sets the chunk length; --file the text"
        case MicroscopeError.vocabularyMismatch:
            return "--model must share the tokenizer of the model that saved --compare-logits"
        case MicroscopeError.textMismatch:
            return "pass the --file the reference was saved from, or leave --file out to use the tokens in the file"
        case MicroscopeError.invalidTopK:
            return "--top-k sets k"
        case MicroscopeError.file(let e) where e.fileIsUnusable:
            return "save the reference again with --save-logits or llama-perplexity --kl-divergence-base"
        default:
            return nil
        }
    }
}
