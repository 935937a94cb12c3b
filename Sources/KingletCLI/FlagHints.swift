import Kinglet
import KingletTraining

/// The flag that changes what a library error complains about: library errors speak of the
/// problem (a context length, a learning rate), the command line names its flags.
enum FlagHints {
    static func hint(for error: Error) -> String? {
        switch error {
        case ModelError.contextFull, GenerationError.promptTooLong:
            return "--context sets the context length"
        case TrainError.resumeMismatch:
            return "pass the original run's flags with --resume, or a new --out"
        case TrainError.noCheckpoint:
            return "drop --resume to start a new run"
        case TrainError.diverged:
            return "lower --lr or raise --warmup"
        default:
            return nil
        }
    }
}
