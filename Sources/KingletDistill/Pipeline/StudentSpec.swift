import Foundation
import KingletTraining

/// Where a distillation student starts: random weights of a preset shape (from scratch), the
/// teacher cut down by pruning, or any llama GGUF. Written `micro`, `prune:layers=16,ffn=1024`
/// or `init:PATH.gguf` (a bare `.gguf` path works too).
public enum StudentSpec: Sendable, Equatable, CustomStringConvertible {
    case preset(ModelPreset)
    case pruned(PruneSpec)
    case initial(String)

    public init(parsing text: String) throws(DistillPipelineError) {
        if let preset = ModelPreset(rawValue: text) {
            self = .preset(preset)
        } else if text.hasPrefix("prune:") {
            do { self = .pruned(try PruneSpec(parsing: String(text.dropFirst("prune:".count)))) } catch {
                throw .invalidSetting(name: "student", requirement: error.errorDescription ?? "layers=N,ffn=M")
            }
        } else if text.hasPrefix("init:") || text.hasSuffix(".gguf") {
            let path = text.hasPrefix("init:") ? String(text.dropFirst("init:".count)) : text
            guard !path.isEmpty else { throw .invalidSetting(name: "student", requirement: "init: followed by a .gguf path") }
            self = .initial(path)
        } else {
            throw .invalidSetting(name: "student", requirement: "one of \(ModelPreset.allCases.map(\.rawValue).joined(separator: ", ")), "
                                  + "prune:layers=N,ffn=M or init:PATH.gguf (it is '\(text)')")
        }
    }

    public var description: String {
        switch self {
        case let .preset(p): p.rawValue
        case let .pruned(s): "prune:\(s)"
        case let .initial(path): "init:\(path)"
        }
    }

    /// Whether the student starts from trained weights (and so wants a gentler learning rate).
    public var isPretrained: Bool {
        if case .preset = self { return false }
        return true
    }

    /// The name runs record as their student.
    public var runName: String {
        switch self {
        case let .preset(p): p.rawValue
        case .pruned: "pruned"
        case .initial: "init"
        }
    }
}
