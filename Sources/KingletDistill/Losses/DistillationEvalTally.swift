import KingletTraining

/// The held-out figures summed over batches or sequences, whoever computes the logits (the
/// training model or the inference engine running an exported GGUF): val_ce is the weighted mean
/// cross-entropy over counted rows; kl_to_teacher and top1_agreement are means over the rows that
/// have teacher data.
struct DistillationEvalTally {
    private var ce = 0.0, weight = 0.0, kl = 0.0, agree = 0.0, teacherRows = 0.0

    /// Adds `n` rows: `run` gets the evaluation loss over `targets`, `weights` and `teacher`
    /// (each [≥ n]) and returns its summed (loss · weight, weight).
    mutating func add(rows n: Int, targets: [Int32], weights: [Float], teacher: TeacherTargets,
                      _ run: (DistillationEvalLoss) -> (loss: Double, weight: Double)) {
        var klRows = [Double](repeating: .nan, count: n), agreeRows = [Double](repeating: -1, count: n)
        let r = targets.withUnsafeBufferPointer { t in
            weights.withUnsafeBufferPointer { w in
                teacher.withView { view in
                    klRows.withUnsafeMutableBufferPointer { k in
                        agreeRows.withUnsafeMutableBufferPointer { a in
                            run(DistillationEvalLoss(targets: t.baseAddress!, weights: w.baseAddress!, teacher: view,
                                                     kl: k.baseAddress!, agree: a.baseAddress!))
                        }
                    }
                }
            }
        }
        ce += r.loss
        weight += r.weight
        for j in 0 ..< n where agreeRows[j] >= 0 {
            kl += klRows[j]
            agree += agreeRows[j]
            teacherRows += 1
        }
    }

    var figures: [String: Double] {
        ["val_ce": weight > 0 ? ce / weight : .nan,
         "kl_to_teacher": teacherRows > 0 ? kl / teacherRows : .nan,
         "top1_agreement": teacherRows > 0 ? agree / teacherRows : .nan]
    }
}
