import Foundation

/// The recipe `distill run` follows when its flags are left out, and why (measured on an AMD EPYC
/// Zen 4, 2 cores, SmolLM2-135M-Instruct Q4_1 teacher, stories samples; top-1 agreement with the
/// teacher on held-out samples):
///
/// - the student is the teacher pruned to its 15 most important layers (by the KL when each is
///   skipped, on the teacher's own samples): 81M parameters. The 30-minute demo (3 seeds) healed
///   it from top-1 0.20 to 0.55 (KD; CE-only baseline 0.54), the default one-seed run to 0.64
///   (baseline 0.58); a micro student from scratch on the same data and run length: 0.27;
/// - the last 25% of each run's steps train on weights rounded to the teacher's type (Q4_1), which
///   it ships in: the default one-seed run (101 steps) gave the Q4_1 file top-1 0.591 at 1.66× the
///   teacher's tg128 (CE baseline 0.561), where full-precision healing gave Q8_0 0.635 at
///   1.07–1.17× and a Q4_1 copy 0.450 (rounding undoes much of the healing); 20 rounded steps on
///   that healed checkpoint: Q4_1 0.450 → 0.599. Runs of 22–28 steps (three seeds in 30 minutes)
///   are too short for it: Q4_1 0.426, below the Q8_0 students' 0.55 (`--quantization-aware-share 0`);
/// - calibrating the pruning on the teacher's samples instead of unrelated prose: top-1 0.545
///   against 0.514 after the same 20 steps;
/// - learning rate 1e-3 against 3e-4: 0.514 against 0.507 (20 steps);
/// - α = 1 (distillation only) against 0.5: the same top-1 (0.547 / 0.545), KL 0.75 against 0.80;
/// - 320 teacher samples (3.4 minutes): a 30-minute run reads about 50–60k tokens per run, and
///   every minute not spent generating is a minute of training.
extension DistillPipeline.Configuration {
    /// α in use: the configured one, else the student's default.
    public var effectiveAlpha: Double { alpha ?? (student.isPretrained ? Self.pretrainedAlpha : Self.scratchAlpha) }

    /// Peak learning rate in use: the configured one, else the student's default.
    public var effectiveLearningRate: Float {
        learningRate ?? (student.isPretrained ? Self.pretrainedLearningRate : Self.scratchLearningRate)
    }

    /// One line saying what the run will do and why, printed when it starts.
    public var recipe: String {
        var parts = ["recipe: student \(student)"]
        switch student {
        case .pruned: parts.append("(the teacher cut to its most important layers by measured KL, then healed by distillation)")
        case .preset: parts.append("(random weights, from scratch)")
        case .initial: parts.append("(starting from the given model)")
        }
        var settings = [String(format: "α %.2f, learning rate %g, %d teacher samples, %d seed(s)", effectiveAlpha,
                               Double(effectiveLearningRate), count, seeds)]
        if student.isPretrained && quantizationAwareShare > 0 {
            settings.append(String(format: "the last %.0f%% of each run's steps on weights rounded to the teacher's quantization, which it ships in",
                                   quantizationAwareShare * 100))
        }
        if onPolicyRatio > 0 { settings.append(String(format: "on-policy λ %.2f in %d round(s) per KD run", onPolicyRatio, onPolicyRounds)) }
        parts.append(settings.joined(separator: "; "))
        if learningRate == nil || alpha == nil {
            parts.append(student.isPretrained ? "— defaults for a student starting from trained weights: see `DistillRecipe.swift`"
                                              : "— defaults for a student from scratch")
        }
        return parts.joined(separator: " ")
    }
}
