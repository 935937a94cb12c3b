import Foundation

/// Why on-policy data cannot be made or mixed in. The library speaks of the problem; the CLI
/// maps it to flags.
public enum OnPolicyError: Error, LocalizedError, Sendable, Equatable {
    /// A setting out of range.
    case invalidSetting(name: String, requirement: String)
    /// The teacher dataset has no training-split prompt to sample the student on.
    case noPrompts(directory: String, heldOut: Int)
    /// The student's vocabulary is not the teacher's, so the teacher cannot score its tokens.
    case vocabularyMismatch(student: String, teacher: String)
    /// The student renders a prompt into other tokens than the teacher did (another chat template).
    case promptMismatch(student: String, prompt: String, studentTokens: Int, teacherTokens: Int)
    /// The on-policy directory was made by another student or from other teacher data.
    case manifestMismatch(directory: String, field: String, stored: String, given: String)
    /// An on-policy sample given to the mixed source has no teacher scores.
    case unscored(id: String, directory: String)
    /// The two score stores keep a different number of entries per position.
    case topKMismatch(teacher: Int, onPolicy: Int)

    public var errorDescription: String? {
        switch self {
        case let .invalidSetting(name, requirement):
            return "on-policy setting \(name) must be \(requirement)."
        case let .noPrompts(dir, heldOut):
            return "the teacher dataset \(dir) has no training-split prompt (\(heldOut) held out, never used for sampling). "
                + "Generate teacher samples first."
        case let .vocabularyMismatch(student, teacher):
            return "the student \(student) does not have the teacher \(teacher)'s vocabulary, so the teacher cannot score "
                + "its completions. Use a student trained on this teacher's tokenizer (an exported student keeps it)."
        case let .promptMismatch(student, prompt, s, t):
            return "the student \(student) renders prompt \(prompt) as \(s) tokens where the teacher's sample has \(t): "
                + "their chat templates differ. Export the student from a run on this teacher (it copies the template)."
        case let .manifestMismatch(dir, field, stored, given):
            return "\(dir) holds on-policy samples of another \(field) (\(stored), now \(given)). "
                + "Use a new directory for each student."
        case let .unscored(id, dir):
            return "on-policy sample \(id) has no teacher scores in \(dir). Run the on-policy job again to finish scoring."
        case let .topKMismatch(teacher, onPolicy):
            return "the teacher's scores keep \(teacher) entries per position but the on-policy scores keep \(onPolicy). "
                + "Score the on-policy samples with the same top-k."
        }
    }
}
