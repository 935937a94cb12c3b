import Foundation

/// The recipe `distill run` follows when its flags are left out, and why. SmolLM2-135M-Instruct Q4_1
/// teacher, stories samples; top-1 agreement with the teacher on the 15 held-out samples (about
/// 2,800 positions; identical settings move it by ±0.02, so smaller differences are not read as
/// wins). The figures marked Zen 3 come from `distill train` runs on one dataset and one pruned
/// student, every run the same token count (≈31k: what a run of the three-seed 30-minute demo
/// reads), on an AMD EPYC Zen 3 (2 cores); the others from earlier sessions on a Zen 4.
///
/// - the student is the teacher pruned to its 16 most important layers (by the KL when each is
///   skipped, on the teacher's own samples): 16 layers gave Q4_1 top-1 0.557 where 15 gave 0.503
///   (Zen 3, 60 steps of 2 sequences), at 67 against 65 MB. 17 layers gave 0.586 against 0.577
///   for 16 (75 steps of 2, Zen 3) but ran tg128 at 1.49× the teacher against 1.65× for 16
///   (`kinglet bench -p 0 -n 128 -r 5`, three alternated rounds, means: 17 layers 241, 16 layers 268, teacher 162 t/s): under the
///   1.5× a student must clear;
/// - the layers ranked on 2,048 calibration tokens (16 windows of 128, about 8 samples): which
///   layers go depends on the text — two rankings of the same teacher on 512 tokens of different
///   samples and one on 2,048 each dropped 14 layers, 11–13 of them the same, and healed by the
///   same 75 steps to 0.551 and 0.577 (512) and 0.570 (2,048) (Zen 3). More text steadies the
///   ranking for about 90 s more pruning (134 s in all). Re-ranking after each removal (greedy, 5
///   or 14 rounds) chose nearly the same layers and started no better (untrained Q4_1 top-1 0.269
///   and 0.298 against 0.304), so the ranking is one-shot;
///   The 30-minute demo with `--student micro` (from scratch, same teacher samples, same budget):
///   0.313 ± 0.055 against this recipe's 0.609 ± 0.008 (0.592 ± 0.003 at 2 sequences a step) (Zen 3);
/// - 1 sequence a step (of 256 tokens) instead of 8: at the same tokens, top-1 0.439 (8 × 15
///   steps), 0.495 (4 × 30), 0.526 (2 × 60) (Zen 3, 15 layers, learning rate 1e-3); on the
///   16-layer student at learning rate 1e-3, 0.593 (1 × 150) against 0.570 (2 × 75), and at equal
///   time 0.589 (1 × 124: a step of one sequence runs at 203–231 tokens/s against 246 for two,
///   its fixed costs — rounding, the optimizer — weigh more) (Zen 3). At 2e-3, 1 × 120 gave 0.497
///   against 0.503 for 2 × 60 (15 layers). The 30-minute 3-seed demo: KD Q4_1 top-1 0.609 ± 0.008
///   (136 / 191 / 192 steps of 1) against 0.592 ± 0.003 (74 / 87 / 79 of 2) (Zen 3). A student that
///   starts trained learns more from more, smaller steps at a moderate learning rate;
/// - every step on weights rounded to the teacher's type (Q4_1), which it ships in: at 15 steps of
///   8, Q4_1 top-1 0.439 against 0.391 when only the last quarter is rounded (Zen 3). A student cut
///   from the teacher starts on the teacher's Q4_1 grid, so rounding from the first step loses
///   nothing and keeps every update in the file; rounding only at the end undoes much of the
///   healing (Zen 4: full-precision healing gave Q8_0 0.635 and a Q4_1 copy 0.450);
/// - the token embedding (the tied head) and the layers below the first cut keep the teacher's
///   weights (`freezeUntouched`): at the same steps top-1 0.510 (embedding frozen) and 0.492 (with
///   the 3 layers below the cut) against 0.503 training everything (Zen 3, 15 layers, 60 × 2,
///   learning rate 2e-3) — the same within the noise — while a step costs 12% less without the
///   head's weight gradient (140 s against 160 s for 60 steps) and less again without those layers';
/// - learning rate 1e-3: against 2e-3 at 2 × 60 steps, 0.526 and 0.503; at 4 × 30, 0.495 and 0.516
///   (Zen 3) — no clear winner; earlier against 3e-4: 0.514 and 0.507 (20 steps of 8, Zen 4);
/// - calibrating the pruning on the teacher's samples instead of unrelated prose: top-1 0.545
///   against 0.514 after the same 20 steps (Zen 4);
/// - α = 1 (distillation only) against 0.5: the same top-1 (0.547 / 0.545), KL 0.75 against 0.80;
/// - 320 teacher samples (3.7 minutes on the Zen 3): every minute not spent generating is a minute
///   of training, and fewer would leave fewer than 15 held out to measure on;
/// - off-policy (`onPolicyRatio` 0): the 30-minute, 3-seed demo with λ = 0.5 (one round halfway
///   through each KD run) reached KD top-1 0.571 ± 0.006 against 0.592 ± 0.003 off-policy (both at
///   2 sequences a step; Zen 3), its rounds costing a fifth of the steps (60 / 78 / 65 against 74 / 87 / 79); the teacher's
///   perplexity of its students' answers was lower (1.96 against 2.06), but both students' greedy
///   answers loop.
extension DistillPipeline.Configuration {
    /// α in use: the configured one, else the student's default.
    public var effectiveAlpha: Double { alpha ?? (student.isPretrained ? Self.pretrainedAlpha : Self.scratchAlpha) }

    /// Sequences per step in use: the configured count, else the student's default.
    public var effectiveBatch: Int { batch ?? (student.isPretrained ? Self.pretrainedBatch : Self.scratchBatch) }

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
        var settings = [String(format: "α %.2f, learning rate %g, %d sequences a step, %d teacher samples, %d seed(s)", effectiveAlpha,
                               Double(effectiveLearningRate), effectiveBatch, count, seeds)]
        if student.isPretrained && quantizationAwareShare > 0 {
            settings.append(quantizationAwareShare >= 1 ? "every step on weights rounded to the teacher's quantization, which it ships in"
                            : String(format: "the last %.0f%% of each run's steps on weights rounded to the teacher's quantization, which it ships in",
                                     quantizationAwareShare * 100))
        }
        if case .pruned = student, freezeUntouched {
            settings.append("the token embedding and the layers below the first cut kept as the teacher has them")
        }
        if onPolicyRatio > 0 { settings.append(String(format: "on-policy λ %.2f in %d round(s) per KD run", onPolicyRatio, onPolicyRounds)) }
        parts.append(settings.joined(separator: "; "))
        if learningRate == nil || alpha == nil || batch == nil {
            parts.append(student.isPretrained ? "— defaults for a student starting from trained weights: see `DistillRecipe.swift`"
                                              : "— defaults for a student from scratch")
        }
        return parts.joined(separator: " ")
    }
}
