import Foundation

extension DistillReport {
    /// The report as JSON-ready values (`JSONSerialization`): `runs`, `summary`, `teacher` (its
    /// own shipped figures, null when not measured), `untrained_student` (the pruned starting
    /// point's val_ce, kl_to_teacher, top1_agreement and file_bytes, null when none) and `answers` (greedy answers to held-out
    /// prompts: `{id, prompt, teacher, runs: {name: text}}`). Missing and non-finite numbers are null.
    public func jsonObject() -> [String: Any] {
        ["runs": runs.map(runObject), "summary": summaryObject(),
         "teacher": teacher.map(Self.shippedObject) ?? NSNull(),
         "untrained_student": untrainedStudent.map(Self.figuresObject) ?? NSNull(),
         "answers": answers.map { a -> [String: Any] in
             ["id": a.prompt.id, "prompt": a.prompt.prompt, "teacher": a.teacher ?? NSNull(),
              "runs": Dictionary(a.runs.map { ($0.name, $0.text) }) { x, _ in x }]
         }]
    }

    /// tg128_tokens_per_second, file_bytes, teacher_ppl_of_generations (null when absent).
    static func shippedObject(_ f: ShippedFigures?) -> [String: Any] {
        ["tg128_tokens_per_second": number(f?.tg128TokensPerSecond), "file_bytes": number(f?.fileBytes),
         "teacher_ppl_of_generations": number(f?.teacherPPLOfGenerations)]
    }

    private func runObject(_ r: Run) -> [String: Any] {
        let i = r.data.info
        var o: [String: Any] = [
            "name": i.name, "kind": i.kind.rawValue, "seed": i.seed, "student": i.student, "parameters": i.parameters,
            "alpha": Self.number(i.alpha), "temperature": Self.number(i.temperature), "divergence": i.divergence ?? NSNull(),
            "tokens": Self.number(r.tokens),
            "exports": (r.data.final?.exports ?? [:]).mapValues(Self.figuresObject),
        ]
        o.merge(Self.figuresObject(r.figures).filter { $0.key != "file_bytes" }) { a, _ in a }
        o.merge(Self.shippedObject(r.shipped)) { a, _ in a }
        o["shipped_format"] = r.shipped?.format ?? NSNull()
        o["seconds"] = r.data.final?.seconds ?? NSNull()
        o["tg128_vs_teacher"] = Self.number(speedup(r))
        if i.kind == .kd {
            o["on_policy_ratio"] = r.data.onPolicy?.ratio ?? 0
            o["on_policy_rounds"] = (r.data.onPolicy?.rounds ?? []).map { x -> [String: Any] in
                ["round": x.round, "step": x.step, "prompts": x.prompts, "samples": x.samples, "scored": x.scored,
                 "complete": x.complete, "seconds": Self.number(x.seconds)]
            }
            o["tokens_to_baseline"] = Self.number(r.tokensToBaseline)
            o["reached_baseline"] = baselineFinalValCE == nil ? NSNull() : (r.tokensToBaseline != nil) as Any
        }
        return o
    }

    private func summaryObject() -> [String: Any] {
        var perKind: [String: Any] = [:]
        for k in kinds {
            var exports: [String: Any] = [:]
            for f in exportFormats {
                exports[f] = [
                    "val_ce": Self.statObject(statistic(k) { $0.data.final?.exports?[f]?.valCE }),
                    "kl_to_teacher": Self.statObject(statistic(k) { $0.data.final?.exports?[f]?.klToTeacher }),
                    "top1_agreement": Self.statObject(statistic(k) { $0.data.final?.exports?[f]?.top1Agreement }),
                    "file_bytes": Self.statObject(statistic(k) { $0.data.final?.exports?[f]?.fileBytes }),
                ]
            }
            perKind[k.rawValue] = [
                "runs": runs.filter { $0.kind == k }.count,
                "val_ce": Self.statObject(statistic(k) { $0.figures.valCE }),
                "kl_to_teacher": Self.statObject(statistic(k) { $0.figures.klToTeacher }),
                "top1_agreement": Self.statObject(statistic(k) { $0.figures.top1Agreement }),
                "tokens": Self.statObject(statistic(k) { $0.tokens }),
                "tg128_tokens_per_second": Self.statObject(statistic(k) { $0.shipped?.tg128TokensPerSecond }),
                "teacher_ppl_of_generations": Self.statObject(statistic(k) { $0.shipped?.teacherPPLOfGenerations }),
                "exports": exports,
            ]
        }
        let kd = runs.filter { $0.kind == .kd }
        let reached = kd.compactMap(\.tokensToBaseline)
        let reach = SeedStatistic(reached)
        var toBaseline: [String: Any] = [
            "target_val_ce": Self.number(baselineFinalValCE), "baseline_tokens": Self.number(baselineTokens),
            "reached": reached.count, "not_reached": baselineFinalValCE == nil ? 0 : kd.count - reached.count,
            "tokens": Self.statObject(reach),
        ]
        if let b = baselineTokens, let m = reach?.mean, m > 0 { toBaseline["token_ratio"] = m / b }
        return ["kinds": perKind, "tokens_to_baseline": toBaseline, "export_formats": exportFormats]
    }

    static func figuresObject(_ f: EvalFigures) -> [String: Any] {
        ["val_ce": number(f.valCE), "kl_to_teacher": number(f.klToTeacher), "top1_agreement": number(f.top1Agreement),
         "file_bytes": number(f.fileBytes)]
    }

    static func statObject(_ s: SeedStatistic?) -> Any {
        guard let s else { return NSNull() }
        return ["mean": number(s.mean), "std": number(s.std), "n": s.count]
    }

    /// A finite number, else null (JSON has no NaN).
    static func number(_ v: Double?) -> Any {
        guard let v, v.isFinite else { return NSNull() }
        return v
    }
}
